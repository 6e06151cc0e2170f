using System.Diagnostics;
using System.Runtime.InteropServices;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace DirectoryService.Testing;

/// <summary>
/// A silo as its own operating-system process, configured through command-line settings, so a
/// test can kill it with SIGKILL or stop it with SIGTERM exactly as an operator's platform would.
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly List<string> _output = [];

    private SiloProcess(Process process, int[] ports, string name)
    {
        _process = process;
        Ports = ports;
        GrpcPort = ports[0];
        Name = name;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}");
    }

    public string Name { get; }

    public int GrpcPort { get; }

    /// <summary>The silo's ports (gRPC first), for starting it again where clients already point.</summary>
    public int[] Ports { get; }

    public GrpcChannel Channel { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The silo process id, for signals (SIGSTOP, SIGCONT).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a silo of the cluster (Azure Table storage) and waits until its health check says serving.</summary>
    public static Task<SiloProcess> StartAsync(string name, ClusterSettings cluster) => StartAsync(name, cluster, FreePorts.Take(3));

    /// <summary>Starts a silo of the cluster on the given ports (those of a silo that is gone) and waits until it serves.</summary>
    public static async Task<SiloProcess> StartAsync(string name, ClusterSettings cluster, int[] ports)
    {
        var silo = Launch(name, cluster, ports);
        await silo.WaitServingAsync(TimeSpan.FromSeconds(60));
        return silo;
    }

    /// <summary>Starts a silo process with the cluster's settings and <paramref name="overrides"/> after them, without waiting for it to serve.</summary>
    public static SiloProcess Launch(string name, ClusterSettings cluster, params (string Key, string Value)[] overrides) =>
        Launch(name, cluster, FreePorts.Take(3), overrides);

    /// <summary>Starts a silo process on the given ports (those of a silo that is gone, say) without waiting for it to serve.</summary>
    public static SiloProcess Launch(string name, ClusterSettings cluster, int[] ports, params (string Key, string Value)[] overrides)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepoPaths.SiloAssembly },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(RepoPaths.SiloAssembly)!,
        };
        foreach (var (key, value) in cluster.Settings(ports).Concat(overrides))
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"silo {name} did not start");
        var silo = new SiloProcess(process, ports, name);
        process.OutputDataReceived += (_, e) => silo.Record(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Waits for the process to exit on its own and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task WaitServingAsync(TimeSpan timeout)
    {
        var health = new Health.HealthClient(Channel);
        await Wait.UntilAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"silo {Name} exited with {_process.ExitCode}:\n{Output()}");
            }

            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }, timeout, $"silo {Name} to report serving");
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Asks the process to shut down (SIGTERM) and waits for it to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"could not signal silo {Name}");
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>Sends a signal to a process (2: SIGINT, as Ctrl-C does; 15: SIGTERM); 0 when sent.</summary>
    public static int Signal(int pid, int signal) => Kill(pid, signal);

    /// <summary>Everything the process wrote.</summary>
    public string FullOutput()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    public string Output()
    {
        lock (_output)
        {
            return string.Join('\n', _output.TakeLast(80));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
