using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Compliance.Core.Digests;

/// <summary>
/// A plain bar chart as a PNG, drawn pixel by pixel: mail clients show PNG images (inline, by content id)
/// where they drop SVG and scripts. Labels and numbers go in the HTML next to it, so no fonts are needed.
/// </summary>
public static class BarChartPng
{

    /// <param name="values">Bar heights, left to right.</param>
    /// <param name="rgb">Bar colour.</param>
    public static byte[] Render(IReadOnlyList<int> values, int width = 480, int height = 160, (byte R, byte G, byte B) rgb = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var colour = rgb == default ? ((byte)0x2F, (byte)0x6F, (byte)0xB3) : rgb;
        var pixels = new byte[height * ((width * 3) + 1)];
        Array.Fill(pixels, (byte)0xFF);
        var max = Math.Max(1, values.DefaultIfEmpty(0).Max());
        var slot = values.Count == 0 ? width : width / values.Count;
        for (var i = 0; i < values.Count; i++)
        {
            var barHeight = (int)Math.Round((height - 10) * (double)values[i] / max);
            var left = (i * slot) + (slot / 6);
            var right = ((i + 1) * slot) - (slot / 6);
            for (var y = height - barHeight; y < height; y++)
            {
                for (var x = left; x < right && x < width; x++)
                {
                    var at = (y * ((width * 3) + 1)) + 1 + (x * 3);
                    (pixels[at], pixels[at + 1], pixels[at + 2]) = colour;
                }
            }
        }

        // Each scanline starts with filter type 0 (none).
        for (var y = 0; y < height; y++)
        {
            pixels[y * ((width * 3) + 1)] = 0;
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        Chunk(png, "IHDR"u8, header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(pixels);
            }

            Chunk(png, "IDAT"u8, compressed.ToArray());
        }

        Chunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        png.Write(type);
        png.Write(data);

        // PNG's chunk CRC is the IEEE CRC-32 over the type and the data.
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(length, crc.GetCurrentHashAsUInt32());
        png.Write(length);
    }
}
