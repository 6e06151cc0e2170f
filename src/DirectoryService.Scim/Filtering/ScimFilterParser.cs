using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DirectoryService.Scim.Errors;

namespace DirectoryService.Scim.Filtering;

/// <summary>
/// Parses the filter grammar of RFC 7644 §3.4.2.2: comparisons (<c>eq ne co sw ew gt ge lt le</c>),
/// presence (<c>pr</c>), <c>and</c> (binding tighter than <c>or</c>), <c>not (…)</c>, grouping and
/// value paths (<c>emails[type eq "work"]</c>). Operators and keywords are matched without regard to
/// case. Anything else is 400 <c>invalidFilter</c> saying where and why.
/// </summary>
public sealed class ScimFilterParser
{
    private static readonly HashSet<string> Operators = new(StringComparer.OrdinalIgnoreCase) { "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr" };
    private readonly string _text;
    private int _at;

    private ScimFilterParser(string text) => _text = text;

    /// <summary>Most characters of a filter (longer ones are refused before parsing).</summary>
    public const int MaxLength = 4096;

    public static ScimFilter Parse(string text)
    {
        if (text.Length > MaxLength)
        {
            throw ScimException.InvalidFilter($"the filter is longer than {MaxLength} characters");
        }

        var parser = new ScimFilterParser(text);
        var filter = parser.ParseOr();
        parser.SkipSpace();
        return parser._at == text.Length ? filter : throw parser.Fail("unexpected text");
    }

    /// <summary>Parses a PATCH path's value filter (the part inside brackets).</summary>
    public static ScimFilter ParseValueFilter(string text) => Parse(text);

    private ScimFilter ParseOr()
    {
        var left = ParseAnd();
        while (TryKeyword("or"))
        {
            left = new Or(left, ParseAnd());
        }

        return left;
    }

    private ScimFilter ParseAnd()
    {
        var left = ParseUnary();
        while (TryKeyword("and"))
        {
            left = new And(left, ParseUnary());
        }

        return left;
    }

    private ScimFilter ParseUnary()
    {
        SkipSpace();
        if (TryKeyword("not"))
        {
            SkipSpace();
            Expect('(');
            var inner = ParseOr();
            Expect(')');
            return new Not(inner);
        }

        if (Peek() == '(')
        {
            _at++;
            var inner = ParseOr();
            Expect(')');
            return inner;
        }

        var path = ParsePath();
        SkipSpace();
        if (Peek() == '[')
        {
            _at++;
            var inner = ParseOr();
            Expect(']');
            return new ValuePathFilter(path, inner);
        }

        var op = Word();
        if (!Operators.Contains(op))
        {
            throw Fail(op.Length == 0 ? "expected an operator" : $"'{op}' is not an operator (eq ne co sw ew gt ge lt le pr)");
        }

        op = op.ToLowerInvariant();
        return op == "pr" ? new Comparison(path, op, null) : new Comparison(path, op, ParseValue());
    }

    private AttributePath ParsePath()
    {
        SkipSpace();
        var start = _at;
        while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] is ':' or '.' or '_' or '-' or '$'))
        {
            _at++;
        }

        try
        {
            return AttributePath.Parse(_text[start.._at]);
        }
        catch (FormatException)
        {
            _at = start;
            throw Fail("expected an attribute path");
        }
    }

    private JsonNode? ParseValue()
    {
        SkipSpace();
        if (Peek() == '"')
        {
            var start = _at++;
            while (_at < _text.Length && _text[_at] != '"')
            {
                _at += _text[_at] == '\\' ? 2 : 1;
            }

            if (_at >= _text.Length)
            {
                throw Fail("unterminated string");
            }

            _at++;
            try
            {
                return JsonValue.Create(JsonSerializer.Deserialize<string>(_text[start.._at]));
            }
            catch (JsonException)
            {
                throw Fail("malformed string");
            }
        }

        var word = Word();
        return word.ToLowerInvariant() switch
        {
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            "null" => null,
            _ when decimal.TryParse(word, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
            _ => throw Fail(word.Length == 0 ? "expected a value" : $"'{word}' is not a value (strings are quoted)"),
        };
    }

    private string Word()
    {
        SkipSpace();
        var start = _at;
        while (_at < _text.Length && !char.IsWhiteSpace(_text[_at]) && _text[_at] is not ('(' or ')' or '[' or ']'))
        {
            _at++;
        }

        return _text[start.._at];
    }

    private bool TryKeyword(string keyword)
    {
        SkipSpace();
        var end = _at + keyword.Length;
        if (end <= _text.Length && string.Compare(_text, _at, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0
            && (end == _text.Length || char.IsWhiteSpace(_text[end]) || _text[end] == '('))
        {
            _at = end;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (Peek() != c)
        {
            throw Fail($"expected '{c}'");
        }

        _at++;
    }

    private char? Peek() => _at < _text.Length ? _text[_at] : null;

    private void SkipSpace()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
        {
            _at++;
        }
    }

    private ScimException Fail(string why) =>
        ScimException.InvalidFilter($"{why} at position {_at + 1} of the filter '{Shorten(_text)}'");

    private static string Shorten(string text) => text.Length <= 200 ? text : new StringBuilder(text, 0, 200, 203).Append("...").ToString();
}
