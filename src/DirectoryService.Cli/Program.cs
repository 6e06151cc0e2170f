using System.CommandLine.Help;
using DirectoryService.Cli;

const string Usage = $"usage: dirctl [--target {DirctlContext.DefaultTarget}] [--ca CERT.pem] [--tenant ID] [--token JWT | --dev-key FILE] NOUN VERB ... (dirctl NOUN --help for each)";

var root = DirctlCommand.Create();
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    await root.Parse(["--help"]).InvokeAsync();
    return 2;
}

var result = root.Parse(args);
if (result.Errors.Count > 0 && result.Action is not HelpAction)
{
    foreach (var error in result.Errors)
    {
        Console.Error.WriteLine($"dirctl: {error.Message}");
    }

    Console.Error.WriteLine(Usage);
    return 2;
}

return await result.InvokeAsync();
