using HfCtl.Cli;
using HfHub;

// `--version` alone is answered before anything else starts (signal handlers, the command tree):
// scripts call it to probe for hfctl, and its cold start is a benchmarked target (bench/startup).
if (args is ["--version"])
{
    Console.Out.WriteLine(VersionInfo.Text);
    return ExitCodes.Ok;
}

EmbeddedSqlite.Register();
using var cancellation = new CancellationTokenSource();
// Ctrl-C and SIGTERM cancel the running command, which cleans up (temp files, the embedded hub) and exits 130.
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Cancel);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Cancel);
return await App.RunAsync(args, CliConsole.System(), HfEnvironment.Process, cancellation.Token);

void Cancel(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    cancellation.Cancel();
}
