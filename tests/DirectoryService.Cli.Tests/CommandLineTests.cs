using System.Diagnostics;
using System.Runtime.Versioning;
using DirectoryService.Testing;

namespace DirectoryService.Cli.Tests;

/// <summary>What dirctl says before it calls anything: help, version, usage errors in one line, and shell completion.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("tenant", "create")]
    [InlineData("user", "restore")]
    [InlineData("group", "list")]
    [InlineData("member", "of")]
    [InlineData("signin", "check")]
    public async Task Help_OnEveryNoun_ListsItsVerbs(string noun, string verb)
    {
        foreach (var help in new[] { "--help", "-h" })
        {
            var (code, output) = await Dirctl.RunAsync(noun, help);
            Assert.True(code == 0, output);
            Assert.Contains(verb, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_OnAListCommand_ShowsPaging()
    {
        var (code, output) = await Dirctl.RunAsync("user", "list", "--help");
        Assert.True(code == 0, output);
        Assert.Contains("--all", output, StringComparison.Ordinal);
        Assert.Contains("--page-size", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_Prints()
    {
        var (code, output) = await Dirctl.RunAsync("--version");
        Assert.True(code == 0, output);
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
    }

    [Theory]
    [InlineData("--bogus", "health")]
    [InlineData("user", "frobnicate")]
    [InlineData("user")]
    [InlineData("--output", "yaml", "health")]
    [InlineData("--target", "not a url", "health")]
    [InlineData("--target=ftp://127.0.0.1:5000", "health")]
    [InlineData("--ca", "/no/such/ca.pem", "health")]
    [InlineData("--tenant", "t", "member", "add", "g", "someone")]
    [InlineData("completion", "fish")]
    public async Task UsageErrors_ExitTwo_InOneLineWithoutAStackTrace(params string[] args)
    {
        var (code, output) = await Dirctl.RunAsync(args);
        Assert.True(code == 2, $"exit {code}: {output}");
        Assert.StartsWith("dirctl: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableTarget_ExitsOne_NamingTheTarget()
    {
        var port = FreePorts.Take(1)[0];
        var (code, output) = await Dirctl.RunAsync($"--target=http://127.0.0.1:{port}", "health");
        Assert.True(code == 1, output);
        Assert.Contains($"cannot reach http://127.0.0.1:{port}", output, StringComparison.Ordinal);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task BashCompletion_SuggestsTheNextWords()
    {
        var bin = Directory.CreateTempSubdirectory("dirctl-completion");
        try
        {
            var wrapper = Path.Combine(bin.FullName, "dirctl");
            await File.WriteAllTextAsync(wrapper, $"#!/usr/bin/env bash\nexec dotnet '{RepoPaths.CliAssembly}' \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            Assert.Equal(["create", "delete", "get", "list", "restore"], (await CompleteAsync(wrapper, "dirctl user ")).Where(w => !w.StartsWith('-') && !w.StartsWith('/')));
            Assert.Equal(["group"], await CompleteAsync(wrapper, "dirctl gr"));
            Assert.Contains("--transitive", await CompleteAsync(wrapper, "dirctl member list g --tr"));
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    private static async Task<string[]> CompleteAsync(string wrapper, string line)
    {
        var script = $$"""
            source <("{{wrapper}}" completion bash)
            COMP_LINE='{{line}}'; COMP_POINT=${#COMP_LINE}
            read -r -a COMP_WORDS <<< "$COMP_LINE"; COMP_WORDS[0]='{{wrapper}}'
            [[ "$COMP_LINE" == *' ' ]] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            _dirctl_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var start = new ProcessStartInfo("bash") { ArgumentList = { "-c", script }, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
