using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Membership;
using DirectoryService.Abstractions.Retention;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Grains.Retention;

namespace DirectoryService.Grains.Common;

/// <summary>
/// The purge of an object past its soft-delete retention, in the steps the tenant's
/// <see cref="RetentionGrain"/> runs: the object marks itself, leaves its groups (through them), and
/// removes its keys, rows and state.
/// </summary>
public abstract partial class DirectoryObjectGrain<TProfile, TView>
{
    public async Task<PurgeStart> BeginPurgeAsync(DateOnly scheduled)
    {
        if (!State.Purging)
        {
            if (State.Profile is null || State.DeletedAt is not { } deletedAt)
            {
                return new PurgeStart(PurgeStep.Drop, []);
            }

            if (Current != ObjectState.Missing)
            {
                return new PurgeStart(PurgeSchedule.DayOf(deletedAt) == scheduled ? PurgeStep.Keep : PurgeStep.Drop, []);
            }

            State.Purging = true;
            await StoreAsync();
        }

        return new PurgeStart(PurgeStep.Purge, Sorted(State.MemberOf));
    }

    public async Task EndPurgeAsync()
    {
        if (!State.Purging || State.Profile is not { } profile)
        {
            return;
        }

        // Followers learn the object is gone; then its keys are free, its rows and its state removed.
        await NoticeChangeAsync([]);
        foreach (var key in UniqueKeys(profile))
        {
            await key.Binding.ReleaseAsync(ObjectId);
        }

        await Rows.WriteAsync(ListingSet, [RowWrite.Delete(ObjectId)]);
        await PurgeRowsAsync(profile);
        await state.ClearOrReloadAsync(this);
        await TakeSnapshotAsync();
        await NodeChangedAsync();
    }

    /// <summary>Removes the object's other rows (a group's name row and member rows), before its state goes.</summary>
    protected virtual Task PurgeRowsAsync(TProfile profile) => Task.CompletedTask;
}
