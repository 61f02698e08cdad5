using System.Text.RegularExpressions;

namespace ParkingLot.Cloud.Lots;

/// <summary>
/// The shape of a lot id: it is part of MQTT topics and URLs, so letters, digits, '-' and '_' only,
/// starting with a letter or digit, at most 64 characters.
/// </summary>
internal static partial class LotId
{
    public const string Rule = "1–64 characters: letters, digits, '-' or '_', starting with a letter or digit";

    public static bool IsValid(string? lotId) => lotId is not null && Pattern().IsMatch(lotId);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
