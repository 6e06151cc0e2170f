using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DirectoryService.Cli;

/// <summary>
/// <c>--all</c> on a list command: follows <c>next_page_token</c> and appends each page's items to
/// the first page, so one answer holds every item (its token empty, as on a last page).
/// </summary>
public static class Pages
{
    public static async Task<IMessage> FollowAsync<T>(T first, Func<string, Task<T>> next)
        where T : IMessage
    {
        var token = first.Descriptor.FindFieldByName("next_page_token")
            ?? throw new InvalidOperationException($"{first.Descriptor.FullName} does not page");
        var items = first.Descriptor.Fields.InFieldNumberOrder().Single(f => f.IsRepeated);
        var all = (System.Collections.IList)items.Accessor.GetValue(first);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var after = (string)token.Accessor.GetValue(first); after.Length > 0;)
        {
            // A token handed back twice would loop forever; the service never does, but a script must not hang.
            if (!seen.Add(after))
            {
                throw new UsageException("the service handed back a page token it had already given");
            }

            var page = await next(after);
            foreach (var item in (System.Collections.IList)items.Accessor.GetValue(page))
            {
                all.Add(item);
            }

            after = (string)token.Accessor.GetValue(page);
        }

        token.Accessor.SetValue(first, "");
        return first;
    }
}
