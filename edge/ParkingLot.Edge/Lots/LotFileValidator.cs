namespace ParkingLot.Edge.Lots;

/// <summary>
/// Checks a lot file without a running agent: the agent at start (through <see cref="LotFileLoader"/>)
/// and <c>parkctl config validate</c> give the same verdict. Never throws for a bad file; an
/// unreadable file is a problem at line 0.
/// </summary>
internal static class LotFileValidator
{
    public static LotFileValidation Validate(string path, LotFileUse use = LotFileUse.Any)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new LotFileValidation(path, null, [new LotFileProblem(0, "$", $"cannot read the file: {ex.Message}")]);
        }

        return ValidateText(bytes, path, use);
    }

    /// <summary>As <see cref="Validate(string)"/> for file contents already in memory; <paramref name="source"/> names it in messages.</summary>
    public static LotFileValidation ValidateText(ReadOnlySpan<byte> utf8, string source, LotFileUse use = LotFileUse.Any)
    {
        var (lot, problems) = LotFileLoader.Check(utf8, use);
        return new LotFileValidation(source, problems.Count == 0 ? lot : null, problems);
    }
}

/// <summary>What the lot file is checked for: the agent knows (<see cref="Hardware"/> or <see cref="Simulation"/>); parkctl checks the file alone.</summary>
internal enum LotFileUse
{
    /// <summary>The file on its own: every rule except those of where it runs.</summary>
    Any,

    /// <summary>The agent on real devices (no <c>--simulate</c>): simulated devices are refused.</summary>
    Hardware,

    /// <summary>The agent with <c>--simulate</c>.</summary>
    Simulation,
}

/// <summary>Verdict on one lot file: <see cref="Lot"/> is set exactly when <see cref="Problems"/> is empty.</summary>
internal sealed record LotFileValidation(string Source, LotFile? Lot, IReadOnlyList<LotFileProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;

    /// <summary>The report a technician reads: the file, then one line per problem.</summary>
    public override string ToString() => IsValid
        ? $"The lot file {Source} is valid."
        : $"The lot file {Source} is invalid:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", Problems)}";
}
