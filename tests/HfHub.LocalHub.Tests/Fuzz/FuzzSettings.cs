namespace HfHub.LocalHub.Tests.Fuzz;

/// <summary>
/// Seed policy for the property tests (see RELIABILITY.md, "Parsers"): each run draws fresh
/// seeds, so every CI run explores new inputs; a failure prints its seed and
/// <c>CsCheck_Seed=&lt;seed&gt;</c> replays it exactly; the shrunk input then becomes a regular
/// regression <c>[Fact]</c>. <c>HFCTL_FUZZ_SCALE</c> multiplies the iteration counts for a
/// longer soak.
/// </summary>
internal static class FuzzSettings
{
    public static long Iter(long iterations) =>
        int.TryParse(Environment.GetEnvironmentVariable("HFCTL_FUZZ_SCALE"), out var scale) && scale > 0 ? iterations * scale : iterations;
}
