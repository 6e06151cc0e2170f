namespace DirectoryService.Grains.Common;

/// <summary>Writes that never leave an activation holding state that storage does not.</summary>
public static class StateWrites
{
    /// <summary>
    /// Writes the state; if the write fails, reloads what storage holds (the write may or may not have
    /// landed) so later calls on this activation do not serve an unacknowledged change, then rethrows.
    /// If even the reload fails, the activation is dropped and the next call loads afresh; meanwhile
    /// <paramref name="stateUnknown"/> lets the grain stop answering from a state storage may not hold.
    /// </summary>
    public static Task WriteOrReloadAsync<T>(this IPersistentState<T> state, Grain grain, Action? stateUnknown = null) =>
        state.ChangeOrReloadAsync(state.WriteStateAsync, grain, stateUnknown);

    /// <summary>Clears the state, with the same guarantee as <see cref="WriteOrReloadAsync"/> if the clear fails.</summary>
    public static Task ClearOrReloadAsync<T>(this IPersistentState<T> state, Grain grain) =>
        state.ChangeOrReloadAsync(state.ClearStateAsync, grain, null);

    private static async Task ChangeOrReloadAsync<T>(this IPersistentState<T> state, Func<Task> change, Grain grain, Action? stateUnknown)
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
