using DirectoryService.Abstractions.Audit;
using DirectoryService.Abstractions.Rows;
using DirectoryService.Storage.Audit;
using DirectoryService.Storage.Rows;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryService.Storage;

/// <summary>Registers the in-memory stores: everything is lost on exit (tests and demos only).</summary>
public static class MemoryStorageExtensions
{
    /// <summary>Grain state (named <paramref name="grainStorageName"/>), row sets and the audit log in process memory.</summary>
    public static ISiloBuilder AddMemoryDirectoryStorage(this ISiloBuilder silo, string grainStorageName)
    {
        silo.AddMemoryGrainStorage(grainStorageName);
        silo.Services.AddSingleton<IRowStore, MemoryRowStore>();
        silo.Services.AddSingleton<IAuditLog, MemoryAuditLog>();
        return silo;
    }
}
