namespace DirectoryService.Storage.Tables;

/// <summary>Limits of Azure Table storage that the stores enforce (the in-memory stores too, so tests meet them).</summary>
public static class TableLimits
{
    /// <summary>Most actions in one entity group transaction: the most row writes one atomic call may carry.</summary>
    public const int MaxActionsPerTransaction = 100;
}
