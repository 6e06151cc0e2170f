using Grpc.Core;

namespace DirectoryService.Testing;

/// <summary>What a call ended with, for tests that compare or count outcomes rather than expect one.</summary>
public static class Outcomes
{
    public static async Task<StatusCode> StatusOf(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
