using System.Text.Json;

namespace ParkingLot.Shared.Contracts;

/// <summary>
/// The one spelling of an enum value outside the code — on the wire, in the stores, in lot files and
/// in CLI output: its name in camelCase (<c>VehicleType.Ev</c> → <c>"ev"</c>), exactly as
/// <c>JsonStringEnumConverter(JsonNamingPolicy.CamelCase)</c> writes it. Every helper that names an
/// enum value delegates here.
/// </summary>
public static class WireNames
{
    /// <summary>The wire name of <paramref name="value"/>.</summary>
    /// <typeparam name="TEnum">Any enum.</typeparam>
    /// <param name="value">The value to name.</param>
    /// <returns>The camelCase name, e.g. <c>"motorcycle"</c>.</returns>
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>The wire names of every value of <typeparamref name="TEnum"/>, in declaration order.</summary>
    /// <typeparam name="TEnum">Any enum.</typeparam>
    /// <returns>One name per declared value.</returns>
    public static IReadOnlyList<string> All<TEnum>()
        where TEnum : struct, Enum => [.. Enum.GetValues<TEnum>().Select(Of)];

    /// <summary>The wire names of every value of an enum type known only at run time, in declaration order.</summary>
    /// <param name="enumType">An enum type.</param>
    /// <returns>One name per declared value.</returns>
    public static IReadOnlyList<string> All(Type enumType) =>
        [.. Enum.GetNames(enumType).Select(name => JsonNamingPolicy.CamelCase.ConvertName(name))];
}
