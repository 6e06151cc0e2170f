using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using DirectoryService.Grpc.V1;
using Grpc.Core;

namespace DirectoryService.Cli.Import;

/// <summary>
/// What an import shows while it runs, on standard error: a progress bar with rate and ETA,
/// redrawn at most four times a second, when standard error is a terminal; and every rejection as
/// one JSON line (file, line, field, code, message), terminal or not, so a script can collect them.
/// </summary>
public sealed class ImportProgress(CsvSources sources, long total, TextWriter errors, bool terminal)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private TimeSpan _drawn = TimeSpan.FromSeconds(-1);

    public long Rejected { get; private set; }

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Answered(ImportRecordsResponse answer)
    {
        lock (_lock)
        {
            if (answer.Rejections.Count > 0 && terminal)
            {
                errors.Write("\r\u001b[K");
            }

            foreach (var rejection in answer.Rejections)
            {
                var (file, line) = sources.Locate(rejection.Position);
                errors.WriteLine(JsonSerializer.Serialize(new { file, line, field = rejection.Field, code = rejection.Code, message = rejection.Message }, Json));
                Rejected++;
            }

            if (terminal && (answer.Done || answer.Rejections.Count > 0 || _clock.Elapsed - _drawn >= TimeSpan.FromMilliseconds(250)))
            {
                _drawn = _clock.Elapsed;
                errors.Write("\r" + Bar(answer.Counts.Records, answer.Done));
                if (answer.Done)
                {
                    errors.WriteLine();
                }
            }
        }
    }

    /// <summary>An unavailable service: the import runs again from the start after <paramref name="delay"/> (one JSON line).</summary>
    public void Retrying(RpcException error, int attempt, TimeSpan delay)
    {
        lock (_lock)
        {
            if (terminal)
            {
                errors.Write("\r\u001b[K");
            }

            errors.WriteLine(JsonSerializer.Serialize(new { retry = attempt, code = "UNAVAILABLE", message = error.Status.Detail, after_seconds = Math.Round(delay.TotalSeconds, 1) }, Json));
        }
    }

    /// <summary>The bar: <c>[######------]  52%  62,345/120,000 records  2,150/s  ETA 0:27</c>.</summary>
    public string Bar(long done, bool finished)
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var rate = done / seconds;
        var of = Math.Max(total, done);
        var fraction = of == 0 ? 1 : (double)done / of;
        var filled = (int)Math.Round(fraction * 30);
        var eta = finished ? "done in " + Clock(seconds) : rate > 0 ? "ETA " + Clock((of - done) / rate) : "ETA --:--";
        return $"[{new string('#', filled)}{new string('-', 30 - filled)}] {fraction,4:P0}  {done:N0}/{of:N0} records  {rate:N0}/s  {eta}  ";
    }

    private static string Clock(double seconds) => TimeSpan.FromSeconds(Math.Round(seconds)) is var t && t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
