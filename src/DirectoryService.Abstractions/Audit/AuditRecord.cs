namespace DirectoryService.Abstractions.Audit;

/// <summary>One audited event: a write, or an attempt that was denied. Never holds property values.</summary>
public sealed record AuditRecord(
    string Id,
    DateTimeOffset Time,
    string TenantId,
    string Subject,
    string App,
    string Operation,
    IReadOnlyList<string> Targets,
    IReadOnlyList<string> ChangedProperties,
    string Result,
    string CorrelationId);
