using System.Net;
using System.Net.Sockets;

namespace DirectoryService.Testing;

/// <summary>
/// Ports for the servers a test starts (silos, Azurite), chosen below the kernel's ephemeral range.
/// A port the kernel picks for a listener on port 0 comes from the range it also hands to outgoing
/// connections, and a test run makes thousands of those (storage requests, silo links): one took a
/// port in the moment between its choice and the silo binding it ("address already in use", a
/// three-silo test failing). Chosen at random below the range, each checked free by binding it,
/// never twice in one process.
/// </summary>
public static class FreePorts
{
    private const int First = 20_000;

    private static readonly HashSet<int> Given = [];

    /// <summary>The last port before the ephemeral range (32768 unless the kernel says otherwise).</summary>
    private static readonly int Last = EphemeralStart() - 1;

    public static int[] Take(int count)
    {
        lock (Given)
        {
            var ports = new List<int>(count);
            while (ports.Count < count)
            {
                var port = Random.Shared.Next(First, Last + 1);
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    ports.Add(port);
                }
            }

            return [.. ports];
        }
    }

    private static bool IsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static int EphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0], out var start) && start > First + 1_000
            ? Math.Min(start, 32_768)
            : 32_768;
    }
}
