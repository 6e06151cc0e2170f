namespace DirectoryService.Cli;

/// <summary>Positional words and <c>--name value</c> / <c>--flag</c> options of one command line.</summary>
public sealed class Arguments
{
    private readonly List<string> _words = [];
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                _words.Add(arg);
            }
            else if (flags.Contains(arg[2..]))
            {
                _options[arg[2..]] = null;
            }
            else
            {
                _options[arg[2..]] = e.MoveNext() ? e.Current : throw new UsageException($"{arg} needs a value");
            }
        }
    }

    public int Count => _words.Count;

    public string this[int index] => index < _words.Count ? _words[index] : throw new UsageException($"missing argument {index + 1}");

    public IEnumerable<string> From(int index) => _words.Skip(index);

    public string? Option(string name) => _options.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => _options.ContainsKey(name);
}

/// <summary>A command line that does not fit; the message says what is wrong.</summary>
public sealed class UsageException(string message) : Exception(message);
