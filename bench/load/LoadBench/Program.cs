using System.Globalization;
using HfCtl.Bench.Load;

// Usage: LoadBench [seconds] [clients]; the hub comes from HF_ENDPOINT and the token from HF_TOKEN
// (environment only, so the token never shows in a process list).
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 60;
var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
var endpoint = Environment.GetEnvironmentVariable("HF_ENDPOINT");
var token = Environment.GetEnvironmentVariable("HF_TOKEN");
if (string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(token))
{
    Console.Error.WriteLine("LoadBench: set HF_ENDPOINT and HF_TOKEN (a write token) for the hub to load");
    return 2;
}

var driver = new LoadDriver(new Uri(endpoint), token);
await driver.SeedAsync();
var warmUp = TimeSpan.FromSeconds(Math.Min(5, seconds / 10));
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: {clients} clients, {warmUp.TotalSeconds:F1} s warm-up, {seconds:F0} s measured…"));
var result = await driver.RunAsync(clients, TimeSpan.FromSeconds(seconds), warmUp);
Console.WriteLine(result.Describe());
return result.Errors == 0 ? 0 : 1;
