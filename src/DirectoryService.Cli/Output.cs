using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace DirectoryService.Cli;

public enum OutputFormat
{
    Json,
    Table,
}

/// <summary>
/// How an answer is printed: protobuf JSON (every field, defaults included, as the REST door answers),
/// or a table for a person — a list's items one per row with the columns any of them fills, a single
/// object as field/value lines.
/// </summary>
public static class Output
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithIndentation().WithFormatDefaultValues(true));

    public static void Print(IMessage answer, bool idOnly, OutputFormat format)
    {
        if (answer is StringValue text)
        {
            Console.WriteLine(text.Value);
            return;
        }

        var id = answer.Descriptor.FindFieldByName("id");
        if (idOnly && id is not null)
        {
            Console.WriteLine(id.Accessor.GetValue(answer));
            return;
        }

        Console.WriteLine(format == OutputFormat.Table ? Table(answer) : Json.Format(answer));
    }

    public static string Table(IMessage answer)
    {
        var list = answer.Descriptor.Fields.InFieldNumberOrder().FirstOrDefault(f => f.IsRepeated && !f.IsMap);
        var rows = list is null ? [answer] : ((IList)list.Accessor.GetValue(answer)).Cast<object>().ToList();
        var lines = new List<string[]>();
        if (list is not null && list.FieldType != FieldType.Message)
        {
            lines.Add([list.JsonName]);
            lines.AddRange(rows.Select(r => new[] { Cell(r) }));
        }
        else if (list is not null)
        {
            var columns = list.MessageType.Fields.InFieldNumberOrder()
                .Where(f => rows.Any(r => Cell(f.Accessor.GetValue((IMessage)r)) is not ("" or "false" or "0")))
                .ToList();
            lines.Add([.. columns.Select(c => c.JsonName)]);
            lines.AddRange(rows.Select(r => columns.Select(c => Cell(c.Accessor.GetValue((IMessage)r))).ToArray()));
        }
        else
        {
            lines.AddRange(answer.Descriptor.Fields.InFieldNumberOrder().Select(f => new[] { f.JsonName, Cell(f.Accessor.GetValue(answer)) }));
        }

        var others = list is null ? [] : answer.Descriptor.Fields.InFieldNumberOrder().Where(f => f != list && Cell(f.Accessor.GetValue(answer)) != "").ToList();
        var widths = Enumerable.Range(0, lines.Max(l => l.Length)).Select(i => lines.Max(l => i < l.Length ? l[i].Length : 0)).ToArray();
        var table = string.Join('\n', lines.Select(l => string.Join("  ", l.Select((cell, i) => i == l.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd()));
        return string.Join('\n', [table, .. others.Select(f => $"{f.JsonName}: {Cell(f.Accessor.GetValue(answer))}")]);
    }

    private static string Cell(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        System.Enum e => e.ToString(),
        IDictionary { Count: 0 } => "",
        IDictionary map => string.Join(",", map.Keys.Cast<object>().Select(k => $"{k}={map[k]}")),
        IList items => string.Join(",", items.Cast<object>().Select(Cell)),
        Timestamp t => t.ToDateTime().ToString("u"),
        DirectoryService.Grpc.V1.DirectoryObjectRef r => $"{r.Type.ToString().ToLowerInvariant()}:{r.Id}",
        IMessage m => JsonFormatter.Default.Format(m),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
