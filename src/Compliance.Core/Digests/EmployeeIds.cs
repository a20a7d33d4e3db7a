namespace Compliance.Core.Digests;

/// <summary>
/// Employee identifiers are personal data. Digests travel by mail, so they carry only a masked form — enough
/// for an enterprise to recognise its own row (the filing and row number are beside it), too little to
/// identify the person; the full identifier stays in the filing and the review API, behind sign-in.
/// </summary>
public static class EmployeeIds
{
    /// <summary>The first character and the last two, the rest starred: <c>E20160042</c> → <c>E******42</c>; four characters or fewer are starred whole.</summary>
    public static string? Mask(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return id;
        }

        return id.Length <= 4
            ? new string('*', id.Length)
            : string.Concat(id.AsSpan(0, 1), new string('*', id.Length - 3), id.AsSpan(id.Length - 2));
    }
}
