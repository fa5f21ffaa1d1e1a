using CsCheck;

namespace Bridgekeeper.Tests.Hostile;

/// <summary>
/// How the hostile-input suite runs a CsCheck property: a fixed number of iterations on one thread (the machines are
/// shared), a new random seed each run. A failure is shrunk, and its message names the smallest failing input found
/// and the seed that reproduces it (set it with the environment variable <c>CsCheck_Seed</c>, or pass it as
/// <c>seed:</c> while debugging).
/// </summary>
internal static class Property
{
    public static void Check<T>(Gen<T> gen, Action<T> assert, long iterations, Func<T, string>? print = null, string? seed = null) =>
        gen.Sample(assert, iter: iterations, threads: 1, print: print, seed: seed);

    public static Task CheckAsync<T>(Gen<T> gen, Func<T, Task> assert, long iterations, Func<T, string>? print = null, string? seed = null) =>
        gen.SampleAsync(assert, iter: iterations, threads: 1, print: print, seed: seed);
}
