using HfHub.Files;

// Prints "<sha256>  <path>" like sha256sum, using the same code path as uploads.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: HashBench <file>");
    return 2;
}
var digest = await ContentHasher.HashFileAsync(args[0], gitSha1: false);
Console.WriteLine($"{digest.Sha256}  {args[0]}");
return 0;
