namespace DirectoryService.Abstractions.Common;

/// <summary>
/// References to string-keyed grains without the reflection Orleans repeats in every
/// <c>GetGrain&lt;T&gt;(key)</c>: it resolves the interface's grain type from its attributes each
/// time, ~7% of the silo's CPU in a bulk import, which makes a reference per member per group. The
/// first reference to an interface is made the ordinary way and its grain and interface types are
/// kept; later ones are made from them, exactly as Orleans would.
/// </summary>
public static class GrainReferences
{
    public static T Reference<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey
    {
        if (Resolved<T>.Types is { } types)
        {
            return (T)grains.GetGrain(GrainId.Create(types.GrainType, key), types.InterfaceType);
        }

        var reference = grains.GetGrain<T>(key);
        if (reference is GrainReference made)
        {
            Resolved<T>.Types = new(made.GrainId.Type, made.InterfaceType);
        }

        return reference;
    }

    private static class Resolved<T>
    {
        public static GrainTypes? Types;
    }

    private sealed record GrainTypes(GrainType GrainType, GrainInterfaceType InterfaceType);
}
