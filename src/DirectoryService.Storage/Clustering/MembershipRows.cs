using Azure.Data.Tables;
using DirectoryService.Storage.Tables;
using Orleans.Runtime;
using Orleans.Serialization;

namespace DirectoryService.Storage.Clustering;

/// <summary>
/// The rows of one cluster's membership partition: a version row, and one row per silo holding
/// the serialized entry plus the columns that are read or changed on their own.
/// </summary>
public sealed class MembershipRows(Serializer serializer, string serviceId)
{
    public const string VersionRowKey = "$version";
    public const string VersionProperty = "Version";
    private const string EntryProperty = "Entry";
    private const string StatusProperty = "Status";
    private const string AliveProperty = "IAmAliveTime";
    private const string AddressProperty = "Address";
    private const string ProxyPortProperty = "ProxyPort";
    private const string GenerationProperty = "Generation";

    public string PartitionKey(string clusterId) => TableKeys.Join(serviceId, clusterId);

    public static string RowKey(SiloAddress silo) => TableKeys.Escape(silo.ToParsableString());

    public TableEntity VersionRow(string clusterId, int version) =>
        new(PartitionKey(clusterId), VersionRowKey) { [VersionProperty] = version };

    public TableEntity SiloRow(string clusterId, MembershipEntry entry) => new(PartitionKey(clusterId), RowKey(entry.SiloAddress))
    {
        [EntryProperty] = serializer.SerializeToArray(entry),
        [StatusProperty] = entry.Status.ToString(),
        [AliveProperty] = ToUtc(entry.IAmAliveTime),
        [AddressProperty] = entry.SiloAddress.Endpoint.Address.ToString(),
        [ProxyPortProperty] = entry.ProxyPort,
        [GenerationProperty] = entry.SiloAddress.Generation,
    };

    public TableEntity AliveRow(string clusterId, MembershipEntry entry) =>
        new(PartitionKey(clusterId), RowKey(entry.SiloAddress)) { [AliveProperty] = ToUtc(entry.IAmAliveTime) };

    public MembershipEntry Entry(TableEntity row)
    {
        var bytes = row.GetBinary(EntryProperty) ?? throw new InvalidDataException($"Membership row {row.RowKey} has no entry.");
        var entry = serializer.Deserialize<MembershipEntry>(bytes) ?? throw new InvalidDataException($"Membership row {row.RowKey} is empty.");

        // I-am-alive updates touch only their column, so it is newer than the serialized copy.
        if (row.GetDateTimeOffset(AliveProperty) is { } alive)
        {
            entry.IAmAliveTime = alive.UtcDateTime;
        }

        return entry;
    }

    public static bool IsActive(TableEntity row) => row.GetString(StatusProperty) == nameof(SiloStatus.Active);

    public static int ProxyPort(TableEntity row) => row.GetInt32(ProxyPortProperty) ?? 0;

    private static DateTimeOffset ToUtc(DateTime time) =>
        new(DateTime.SpecifyKind(time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time, DateTimeKind.Utc));
}
