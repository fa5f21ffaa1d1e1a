using Bridgekeeper.Fuzz;

// bridgekeeper-fuzz TARGET                   run under afl-fuzz (SharpFuzz's fork server; once on stdin otherwise)
// bridgekeeper-fuzz TARGET --corpus DIR      write the seed corpus (from the test fixtures) into DIR
// bridgekeeper-fuzz TARGET --replay FILE...  run inputs (e.g. afl's crashes) directly and print what they throw
if (args.Length == 0 || !Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: bridgekeeper-fuzz ({string.Join('|', Targets.All.Keys)}) [--corpus DIR | --replay FILE...]");
    return 2;
}

if (args.Length >= 3 && args[1] == "--corpus")
{
    Directory.CreateDirectory(args[2]);
    var seeds = Seeds.For(args[0]);
    for (var i = 0; i < seeds.Count; i++)
        File.WriteAllBytes(Path.Combine(args[2], $"seed-{i:D3}"), seeds[i]);
    Console.WriteLine($"{seeds.Count} seeds in {args[2]}");
    return 0;
}

if (args.Length >= 2 && args[1] == "--replay")
{
    var failures = 0;
    foreach (var file in args.Skip(2))
    {
        try
        {
            target(File.ReadAllBytes(file));
            Console.WriteLine($"ok    {file}");
        }
        catch (Exception exception)
        {
            failures++;
            Console.WriteLine($"THROW {file}\n{exception}\n");
        }
    }
    return failures == 0 ? 0 : 1;
}

SharpFuzz.Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
