using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Import;
using DirectoryService.Grains.Import;
using Orleans.Storage;

namespace DirectoryService.Grains.Tests.Import;

/// <summary>What one record's application turns into: a result, a rejection, or (storage trouble) the batch's failure.</summary>
public sealed class KeyedRecordsTests
{
    [Fact]
    public async Task ARecordWhoseGrainReloadedNewerState_IsAppliedAgain()
    {
        var calls = 0;
        var result = await KeyedRecords.GuardAsync(7, () =>
            ++calls == 1 ? throw new InconsistentStateException("stored etag differs", "a", "b") : Task.FromResult(new RecordResult(7, ImportOutcome.Unchanged, "id")));

        Assert.Equal(2, calls);
        Assert.Equal(ImportOutcome.Unchanged, result.Outcome);
    }

    [Fact]
    public async Task ARecordThatKeepsMeetingNewerState_FailsTheBatch_AfterThreeAttempts()
    {
        var calls = 0;
        await Assert.ThrowsAsync<InconsistentStateException>(() => KeyedRecords.GuardAsync(7, () =>
        {
            calls++;
            throw new InconsistentStateException("stored etag differs", "a", "b");
        }));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task ADirectoryError_RejectsTheRecord_WithItsFieldRenamed()
    {
        var result = await KeyedRecords.GuardAsync(
            9, () => throw DirectoryException.Invalid(DomainFields.Manager, "is not a user"), f => f?.Name == DomainFields.Manager ? ImportFields.ManagerExternalId : f);

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        Assert.Equal(ImportFields.ManagerExternalId, result.Error!.Field!.Name);
        Assert.Equal(9, result.Position);
    }
}
