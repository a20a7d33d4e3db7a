using System.Text;
using Compliance.Cli;

Console.OutputEncoding = Encoding.UTF8;
return await CliApp.RunAsync(args, Console.Out, Console.Error);
