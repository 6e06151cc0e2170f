namespace DirectoryService.Grains.Import;

/// <summary>
/// Stops a pass that applies a batch only if nothing in it changes
/// (<see cref="Abstractions.Import.IImportGrain.ApplyUnchangedAsync"/>) at the first record that
/// would create or update something, before anything is written.
/// </summary>
public sealed class WouldChangeException() : Exception("a record of the batch would change the directory");
