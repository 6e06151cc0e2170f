using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Common;
using DirectoryService.Grains.Membership;
using DirectoryService.Grains.Retention;
using DirectoryService.Grains.Rows;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectoryService.Grains;

/// <summary>Registers what the directory grains depend on.</summary>
public static class DirectoryGrainsExtensions
{
    /// <summary>Adds the services the grains need; the grain classes themselves are found by Orleans.</summary>
    public static ISiloBuilder AddDirectoryGrains(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton(new DirectoryClock(TimeProvider.System));
        silo.Services.TryAddSingleton<RowCodec>();
        silo.Services.TryAddSingleton<SignInMetrics>();
        silo.Services.TryAddSingleton<ClosureCache>();
        silo.Services.TryAddSingleton<UserCache>();
        silo.Services.AddOptions<ReadLeaseOptions>().BindConfiguration(ReadLeaseOptions.Section)
            .Validate(o => o.Duration > TimeSpan.Zero && o.RenewEvery > TimeSpan.Zero && o.RenewEvery * 2 <= o.Duration,
                $"{ReadLeaseOptions.Section}: RenewEvery must be positive and at most half of Duration")
            .Validate(o => o.ReachTimeout > TimeSpan.Zero && o.ClockDrift is >= 0 and < 0.5,
                $"{ReadLeaseOptions.Section}: ReachTimeout must be positive and ClockDrift in [0, 0.5)")
            .ValidateOnStart();
        silo.Services.TryAddSingleton<ReadLease>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<ReadLease>());
        silo.Services.TryAddSingleton<ICacheInvalidator, CacheInvalidator>();
        silo.Services.TryAddSingleton<SignInReads>();
        silo.Services.TryAddSingleton<ISignInReads>(services => services.GetRequiredService<SignInReads>());
        silo.Services.TryAddSingleton<ClosureWarmer>();
        silo.Services.TryAddSingleton<SiloVouch>();
        silo.Services.TryAddSingleton<ISiloVouch>(services => services.GetRequiredService<SiloVouch>());
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<ClosureWarmer>());
        silo.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section)
            .Validate(o => o.SweepPeriod >= TimeSpan.FromSeconds(1), $"{RetentionOptions.Section}:SweepPeriod must be at least one second").ValidateOnStart();

        // Reminders may tick as often as the sweep is configured to (Orleans allows one a minute by default).
        silo.Services.AddOptions<ReminderOptions>().Configure<IOptions<RetentionOptions>>((reminders, retention) =>
            reminders.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(reminders.MinimumReminderPeriod.Ticks, retention.Value.SweepPeriod.Ticks)));
        silo.AddGrainService<MembershipCacheService>();
        silo.AddOutgoingGrainCallFilter<IdempotentRetryFilter>();
        return silo;
    }
}
