namespace DirectoryService.Abstractions.Common;

/// <summary>
/// Marks a grain method that is safe to repeat: a retry after an unknown outcome (the target silo
/// went away mid-call) gives the same result as the first success. Such calls are retried when a
/// silo leaves or fails; all others surface the failure as "outcome unknown".
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotentAttribute : Attribute;
