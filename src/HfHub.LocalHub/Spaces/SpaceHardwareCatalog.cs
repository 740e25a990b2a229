namespace HfHub.LocalHub.Spaces;

/// <summary>An accelerator of a hardware flavor, as <c>GET /api/spaces/hardware</c> reports it.</summary>
internal sealed record HardwareAccelerator(string Type, string Model, int Quantity, string Vram, string Manufacturer);

/// <summary>One entry of <c>GET /api/spaces/hardware</c>.</summary>
internal sealed record HardwareFlavor(
    string Name, string PrettyName, string Cpu, string Ram, HardwareAccelerator? Accelerator,
    long UnitCostMicroUSD, double UnitCostUSD, string UnitLabel);

/// <summary>
/// The flavors a Space may request: the union of the official Python enum, the JS type and the
/// Hub OpenAPI's create enum (spaces.md §5.2), minus the H100s removed in Dec 2025. Prices are
/// indicative (per hour); nothing in the emulator bills.
/// </summary>
internal static class SpaceHardwareCatalog
{
    public const string Default = "cpu-basic";

    public static IReadOnlyList<HardwareFlavor> All { get; } =
    [
        Cpu("cpu-basic", "CPU basic", "2 vCPU", "16 GB", 0),
        Cpu("cpu-upgrade", "CPU upgrade", "8 vCPU", "32 GB", 30_000),
        Cpu("cpu-performance", "CPU performance", "8 vCPU", "32 GB", 60_000),
        Cpu("cpu-xl", "CPU XL", "16 vCPU", "124 GB", 1_000_000),
        Gpu("zero-a10g", "ZeroGPU", "2 vCPU", "16 GB", "A10G", 1, "24 GB", 0),
        Gpu("t4-small", "Nvidia T4 - small", "4 vCPU", "15 GB", "T4", 1, "16 GB", 400_000),
        Gpu("t4-medium", "Nvidia T4 - medium", "8 vCPU", "30 GB", "T4", 1, "16 GB", 600_000),
        Gpu("l4x1", "1x Nvidia L4", "8 vCPU", "30 GB", "L4", 1, "24 GB", 800_000),
        Gpu("l4x4", "4x Nvidia L4", "48 vCPU", "186 GB", "L4", 4, "96 GB", 3_800_000),
        Gpu("l40sx1", "1x Nvidia L40S", "8 vCPU", "62 GB", "L40S", 1, "48 GB", 1_800_000),
        Gpu("l40sx4", "4x Nvidia L40S", "48 vCPU", "382 GB", "L40S", 4, "192 GB", 8_300_000),
        Gpu("l40sx8", "8x Nvidia L40S", "192 vCPU", "1534 GB", "L40S", 8, "384 GB", 23_500_000),
        Gpu("a10g-small", "Nvidia 1xA10G - small", "4 vCPU", "15 GB", "A10G", 1, "24 GB", 1_000_000),
        Gpu("a10g-large", "Nvidia 1xA10G - large", "12 vCPU", "46 GB", "A10G", 1, "24 GB", 1_500_000),
        Gpu("a10g-largex2", "2x Nvidia A10G - large", "24 vCPU", "92 GB", "A10G", 2, "48 GB", 3_000_000),
        Gpu("a10g-largex4", "4x Nvidia A10G - large", "48 vCPU", "184 GB", "A10G", 4, "96 GB", 5_000_000),
        Gpu("a100-large", "Nvidia A100 - large", "12 vCPU", "142 GB", "A100", 1, "80 GB", 2_500_000),
        Gpu("a100x4", "4x Nvidia A100", "48 vCPU", "568 GB", "A100", 4, "320 GB", 10_000_000),
        Gpu("a100x8", "8x Nvidia A100", "96 vCPU", "1136 GB", "A100", 8, "640 GB", 20_000_000),
        Gpu("h200", "Nvidia H200", "23 vCPU", "256 GB", "H200", 1, "141 GB", 5_000_000),
        Gpu("h200x2", "2x Nvidia H200", "46 vCPU", "512 GB", "H200", 2, "282 GB", 10_000_000),
        Gpu("h200x4", "4x Nvidia H200", "92 vCPU", "1024 GB", "H200", 4, "564 GB", 20_000_000),
        Gpu("h200x8", "8x Nvidia H200", "184 vCPU", "2048 GB", "H200", 8, "1128 GB", 40_000_000),
        Accel("sprx8", "8x AWS Trainium2", "96 vCPU", "1024 GB", "sprx", 8, "768 GB", "AWS", 12_000_000),
        Accel("inf2x6", "6x AWS Inferentia2", "96 vCPU", "384 GB", "inf2", 12, "384 GB", "AWS", 6_000_000),
    ];

    public static HardwareFlavor? Find(string? name) =>
        All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <summary>The 400 message for an unknown flavor (the real wording is UNCONFIRMED; this one names the valid list).</summary>
    public static string InvalidMessage(string? name) =>
        $"Invalid hardware flavor '{name}'. Valid flavors: {string.Join(", ", All.Select(f => f.Name))}";

    /// <summary>True for flavors that run on free hardware and so sleep after 48 h by default.</summary>
    public static bool IsFree(string? name) => name is null or "cpu-basic" or "zero-a10g";

    private static HardwareFlavor Cpu(string name, string pretty, string cpu, string ram, long microUsd) =>
        new(name, pretty, cpu, ram, null, microUsd, microUsd / 1_000_000.0, "hour");

    private static HardwareFlavor Gpu(string name, string pretty, string cpu, string ram, string model, int count, string vram, long microUsd) =>
        new(name, pretty, cpu, ram, new HardwareAccelerator("gpu", model, count, vram, "Nvidia"), microUsd, microUsd / 1_000_000.0, "hour");

    private static HardwareFlavor Accel(string name, string pretty, string cpu, string ram, string model, int count, string vram, string maker, long microUsd) =>
        new(name, pretty, cpu, ram, new HardwareAccelerator("neuron", model, count, vram, maker), microUsd, microUsd / 1_000_000.0, "hour");
}
