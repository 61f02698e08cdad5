using System.Globalization;
using Xunit.Abstractions;

namespace ParkingLot.Edge.Tests.Builders;

/// <summary>
/// The seed of a randomised test: PARKINGLOT_TEST_SEED when set (to replay a failure), else a fresh
/// one. Written to the test output, which xunit shows with a failure.
/// </summary>
internal static class TestSeed
{
    public static int Next(ITestOutputHelper output)
    {
        var seed = Environment.GetEnvironmentVariable("PARKINGLOT_TEST_SEED") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with PARKINGLOT_TEST_SEED={seed})");
        return seed;
    }
}
