using System.Text;
using Compliance.Stack;

Console.OutputEncoding = Encoding.UTF8;
return await StackApp.RunAsync(args, Console.Out, Console.Error);
