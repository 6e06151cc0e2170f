using System.CommandLine;

namespace DirectoryService.Cli;

/// <summary>
/// <c>dirctl completion bash</c>: a bash completion script that asks dirctl itself for the words
/// that may come next (System.CommandLine's <c>[suggest]</c> directive), so completion follows the
/// command tree of the dirctl it runs. Install: <c>source &lt;(./dirctl completion bash)</c>.
/// </summary>
public static class Completion
{
    private const string Bash = """
        _dirctl_complete() {
          local IFS=$'\n'
          COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _dirctl_complete dirctl ./dirctl
        """;

    public static Command Command()
    {
        var shell = new Argument<string>("shell") { Description = "The shell (bash)" };
        shell.AcceptOnlyFromAmong("bash");
        var command = new Command("completion", "Print a shell completion script: source <(dirctl completion bash)") { Arguments = { shell } };
        command.SetAction(_ => Console.WriteLine(Bash));
        return command;
    }
}
