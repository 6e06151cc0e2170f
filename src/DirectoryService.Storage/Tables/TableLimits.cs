namespace DirectoryService.Storage.Tables;

/// <summary>Limits of Azure Table storage that the stores enforce (the in-memory stores too, so tests meet them).</summary>
public static class TableLimits
{
    /// <summary>Most actions in one entity group transaction: the most row writes one atomic call may carry.</summary>
    public const int MaxActionsPerTransaction = 100;

    /// <summary>Azure's limit on an entity group transaction's payload: 4 MiB.</summary>
    public const int MaxTransactionPayloadBytes = 4 * 1024 * 1024;

    /// <summary>
    /// What group commit lets units add up to (<see cref="TransactionBatcher"/>): below
    /// <see cref="MaxTransactionPayloadBytes"/> by a margin for the multipart framing and for
    /// estimates that run short. A unit alone is always sent, whatever its size.
    /// </summary>
    public const int BatchPayloadBudget = 3 * 1024 * 1024;

    /// <summary>
    /// About how many bytes an action adds to a transaction's payload: its part's framing and URL
    /// (the keys), and each property as JSON — binary values as base64, strings as UTF-8.
    /// </summary>
    public static int EstimatedBytes(Azure.Data.Tables.TableTransactionAction action)
    {
        var entity = action.Entity;
        var bytes = 512 + (2 * (entity.PartitionKey.Length + entity.RowKey.Length));
        if (entity is Azure.Data.Tables.TableEntity properties)
        {
            foreach (var (name, value) in properties)
            {
                bytes += name.Length + 48 + value switch
                {
                    byte[] binary => 4 * ((binary.Length + 2) / 3),
                    BinaryData data => 4 * (((int)data.ToMemory().Length + 2) / 3),
                    string text => System.Text.Encoding.UTF8.GetByteCount(text),
                    _ => 32,
                };
            }
        }

        return bytes;
    }
}
