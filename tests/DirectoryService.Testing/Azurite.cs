using System.Diagnostics;
using System.Net.Sockets;

namespace DirectoryService.Testing;

/// <summary>
/// One real Azurite table service for the whole test process, on a free port with its data in a
/// temporary folder, stopped when the process exits. Tests isolate themselves by table name.
/// </summary>
public static class Azurite
{
    /// <summary>Azurite's published development account key: a well-known constant of the emulator, not a secret.</summary>
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<string>> Started = new(StartAsync);

    /// <summary>The connection string of the shared instance, starting it on first use.</summary>
    public static Task<string> ConnectionStringAsync() => Started.Value;

    /// <summary>A table name no other test uses.</summary>
    public static string NewTableName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    private static async Task<string> StartAsync()
    {
        if (!File.Exists(RepoPaths.AzuriteTable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {RepoPaths.AzuriteTable}; run ./test.sh, which installs it.");
        }

        var port = FreePorts.Take(1)[0];
        var data = Directory.CreateTempSubdirectory("azurite-").FullName;
        var info = new ProcessStartInfo(RepoPaths.AzuriteTable)
        {
            ArgumentList = { "--tableHost", "127.0.0.1", "--tablePort", port.ToString(), "--location", data, "--disableTelemetry", "--skipApiVersionCheck", "--silent" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("Azurite did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
                Directory.Delete(data, recursive: true);
            }
            catch (Exception)
            {
                // Best effort at exit.
            }
        };

        await Wait.UntilAsync(() => Accepts(port), TimeSpan.FromSeconds(30), $"Azurite to listen on port {port}");
        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    private static async Task<bool> Accepts(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
