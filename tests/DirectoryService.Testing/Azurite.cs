using System.Diagnostics;
using System.Net.Sockets;

namespace DirectoryService.Testing;

/// <summary>
/// One real Azurite table service for the whole test process, on a free port with its data in a
/// temporary folder, stopped when the process exits. Tests isolate themselves by table name; a test
/// that pauses or kills storage starts an instance of its own (<see cref="AzuriteProcess"/>).
/// </summary>
public static class Azurite
{
    private static readonly Lazy<Task<AzuriteProcess>> Started = new(async () =>
    {
        var azurite = await AzuriteProcess.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.Stop();
        return azurite;
    });

    /// <summary>The connection string of the shared instance, starting it on first use.</summary>
    public static async Task<string> ConnectionStringAsync() => (await Started.Value).ConnectionString;

    /// <summary>A table name no other test uses.</summary>
    public static string NewTableName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];
}

/// <summary>An Azurite table service process of its own: it can be paused (SIGSTOP), resumed, crashed, backed up and restored, and stopped.</summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's published development account key: a well-known constant of the emulator, not a secret.</summary>
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int SigStop = 19;
    private const int SigCont = 18;

    /// <summary>How often Azurite writes its tables to its data folder.</summary>
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(5);

    private Process _process;
    private readonly string _data;
    private readonly int _port;

    private AzuriteProcess(Process process, string data, int port)
    {
        (_process, _data, _port) = (process, data, port);
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    /// <summary>The port its table endpoint listens on.</summary>
    public int Port => _port;

    /// <summary>Starts Azurite on a free port with its data in a new temporary folder and waits until it listens.</summary>
    public static async Task<AzuriteProcess> StartAsync()
    {
        if (!File.Exists(RepoPaths.AzuriteTable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {RepoPaths.AzuriteTable}; run ./test.sh, which installs it.");
        }

        var port = FreePorts.Take(1)[0];
        var data = Directory.CreateTempSubdirectory("azurite-").FullName;
        return new AzuriteProcess(await LaunchAsync(port, data), data, port);
    }

    /// <summary>Kills the process (SIGKILL: nothing it holds in memory is saved) and starts it again on the same port and data folder, as <c>./run.sh</c> would.</summary>
    public async Task CrashAndRestartAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process = await LaunchAsync(_port, _data);
    }

    /// <summary>
    /// Takes a backup of everything written so far: waits until Azurite has saved its tables (every
    /// 5 s; it does not save when it is stopped), stops it, copies its data folder, and starts it
    /// again on the same port and data. Returns the copy.
    /// </summary>
    public async Task<string> BackUpAsync()
    {
        await Task.Delay(SaveInterval + TimeSpan.FromSeconds(1));
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();

        var backup = Directory.CreateTempSubdirectory("azurite-backup-").FullName;
        CopyFolder(_data, backup);
        _process = await LaunchAsync(_port, _data);
        return backup;
    }

    /// <summary>Restores a backup under the running clients: kills the process (SIGKILL), replaces its data with the backup's, and starts it again.</summary>
    public async Task RestoreAsync(string backup)
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        Directory.Delete(_data, recursive: true);
        CopyFolder(backup, _data);
        _process = await LaunchAsync(_port, _data);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static async Task<Process> LaunchAsync(int port, string data)
    {
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
        await Wait.UntilAsync(() => Accepts(port), TimeSpan.FromSeconds(30), $"Azurite to listen on port {port}");
        return process;
    }

    /// <summary>Freezes the process (SIGSTOP): connections are accepted by the kernel, nothing is answered — a stalled storage service.</summary>
    public void Pause() => SiloProcess.Signal(_process.Id, SigStop);

    public void Resume() => SiloProcess.Signal(_process.Id, SigCont);

    /// <summary>Kills the process and removes its data (best effort).</summary>
    public void Stop()
    {
        try
        {
            Resume();
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
            Directory.Delete(_data, recursive: true);
        }
        catch (Exception)
        {
            // Best effort.
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
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
