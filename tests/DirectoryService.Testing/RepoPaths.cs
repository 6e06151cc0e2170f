namespace DirectoryService.Testing;

/// <summary>Finds files of this repository from a test's output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built with (Debug or Release).</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string AzuriteTable => Path.Combine(Root, ".tools", "node_modules", ".bin", "azurite-table");

    public static string SiloAssembly => Path.Combine(Root, "src", "DirectoryService.Silo", "bin", Configuration, "net10.0", "DirectoryService.Silo.dll");

    /// <summary>dirctl, the admin client, as built.</summary>
    public static string CliAssembly => Path.Combine(Root, "src", "DirectoryService.Cli", "bin", Configuration, "net10.0", "dirctl.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Directory.sln above {AppContext.BaseDirectory}");
    }
}
