namespace DirectoryService.Grains.Common;

/// <summary>Writes that never leave an activation holding state that storage does not.</summary>
public static class StateWrites
{
    /// <summary>
    /// Writes the state; if the write fails, reloads what storage holds (the write may or may not have
    /// landed) so later calls on this activation do not serve an unacknowledged change, then rethrows.
    /// If even the reload fails, the activation is dropped and the next call loads afresh; meanwhile
    /// <paramref name="stateUnknown"/> lets the grain stop answering from a state storage may not hold;
    /// <paramref name="reloaded"/> says the state is now what storage holds.
    /// </summary>
    public static Task WriteOrReloadAsync<T>(this IPersistentState<T> state, Grain grain, Action? stateUnknown = null, Action? reloaded = null) =>
        state.ChangeOrReloadAsync(state.WriteStateAsync, grain, stateUnknown, reloaded);

    /// <summary>Clears the state, with the same guarantee as <see cref="WriteOrReloadAsync"/> if the clear fails.</summary>
    public static Task ClearOrReloadAsync<T>(this IPersistentState<T> state, Grain grain) =>
        state.ChangeOrReloadAsync(state.ClearStateAsync, grain, null, null);

    private static async Task ChangeOrReloadAsync<T>(this IPersistentState<T> state, Func<Task> change, Grain grain, Action? stateUnknown, Action? reloaded)
    {
        try
        {
            await change();
        }
        catch
        {
            try
            {
                await state.ReadStateAsync();
                reloaded?.Invoke();
            }
            catch
            {
                stateUnknown?.Invoke();
                grain.DeactivateOnIdle();
            }

            throw;
        }
    }
}
