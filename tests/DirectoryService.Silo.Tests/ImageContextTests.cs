using DirectoryService.Testing;

namespace DirectoryService.Silo.Tests;

/// <summary>The silo image's build context (the repository, less .dockerignore) never carries local keys or data.</summary>
public sealed class ImageContextTests
{
    [Theory]
    [InlineData(".data/dev-signing-key.pem")]
    [InlineData(".data/tls.key")]
    [InlineData(".data/token-key")]
    [InlineData(".data/azurite/__azurite_db_table__.json")]
    [InlineData("benchmarks/.data/dev-key.pem")]
    [InlineData(".tools/node_modules/azurite/package.json")]
    public void LocalKeysAndData_AreLeftOutOfTheBuildContext(string path) =>
        Assert.True(Ignored(path), $"{path} would be sent to the image build");

    [Theory]
    [InlineData("src/DirectoryService.Silo/Program.cs")]
    [InlineData("protos/directory/v1/users.proto")]
    [InlineData("Directory.Packages.props")]
    public void TheSources_AreInTheBuildContext(string path) =>
        Assert.False(Ignored(path), $"{path} would be missing from the image build");

    /// <summary>Docker's rules for the patterns used here: a path is left out if it, or a folder above it, matches a line.</summary>
    private static bool Ignored(string path)
    {
        var patterns = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.TrimEnd('/')).ToList();
        var parts = path.Split('/');
        var prefixes = Enumerable.Range(1, parts.Length).Select(n => string.Join('/', parts[..n]));
        return prefixes.Any(prefix => patterns.Any(p => Matches(p, prefix)));
    }

    private static bool Matches(string pattern, string path)
    {
        if (pattern.StartsWith("**/", StringComparison.Ordinal))
        {
            var rest = pattern[3..];
            var segments = path.Split('/');
            return Enumerable.Range(0, segments.Length).Any(i => Matches(rest, string.Join('/', segments[i..])));
        }

        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", "[^/]*", StringComparison.Ordinal) + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(path, regex);
    }
}
