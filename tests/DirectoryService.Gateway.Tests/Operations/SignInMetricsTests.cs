using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grains.Membership;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Operations;

/// <summary>The sign-in path explains itself: cache hits and misses, warm and cold sign-ins, and how long invalidations take.</summary>
[Collection(SiloCollection.Name)]
public sealed class SignInMetricsTests(SiloFixture silo)
{
    [Fact]
    public async Task SignIns_CountCacheHitsAndMisses_ByPath_AndChangesTimeTheirInvalidations()
    {
        var measurements = new ConcurrentQueue<(string Instrument, string Tag, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SignInMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, TagOf(tags), v)));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, TagOf(tags), v)));
        listener.Start();

        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("measured");
        var group = await t.CreateGroupAsync("measured");
        await t.AddAsync(group, user);
        Assert.Contains(measurements, m => m.Instrument == "directory.cache.invalidation.duration" && m.Tag == "tenant");

        measurements.Clear();
        var signIn = new ResolveSignInRequest { UserPrincipalName = user.UserPrincipalName };
        await t.SignIn.ResolveSignInAsync(signIn);
        await t.SignIn.ResolveSignInAsync(signIn);

        var lookups = measurements.Where(m => m.Instrument == "directory.signin.user_cache.lookups").Select(m => m.Tag).ToList();
        Assert.Equal(["miss", "hit"], lookups.Take(2));
        var paths = measurements.Where(m => m.Instrument == "directory.signin.duration").Select(m => m.Tag).ToList();
        Assert.Equal(["cold", "warm"], paths.Take(2));
        Assert.Contains(measurements, m => m.Instrument == "directory.signin.closure_cache.lookups");
    }

    private static string TagOf(ReadOnlySpan<KeyValuePair<string, object?>> tags) => tags.Length > 0 ? tags[0].Value?.ToString() ?? "" : "";
}
