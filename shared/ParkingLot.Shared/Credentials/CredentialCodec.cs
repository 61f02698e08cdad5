using System.Buffers.Text;
using System.Text;
using System.Text.Unicode;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Credentials;

/// <summary>
/// The text form of a signed credential: <c>PL1.&lt;payload&gt;.&lt;signature&gt;</c>, both parts
/// base64url without padding. The signature is ECDSA P-256 / SHA-256 in IEEE P1363 form (64 bytes)
/// over the ASCII text <c>PL1.&lt;payload&gt;</c>, so the format tag is covered and any change to the
/// text is refused. Payload bytes:
/// <code>
/// u8 format (1) · u8 kind · u8 vehicle type · u8 flags (bit 0: validTo, bit 1: spotId)
/// varint validFrom (Unix seconds) · [varint validTo − validFrom (seconds)] · varint version
/// str keyId · str lotId · str id · [str spotId]      (str = varint byte length + UTF-8, 1..255 bytes)
/// </code>
/// A typical ticket is about 160 characters: small enough for a QR code a thermal printer and a phone
/// camera handle comfortably.
/// </summary>
internal static class CredentialCodec
{
    public const string Prefix = "PL1.";
    public const int SignatureLength = 64;

    // Well above any code Sign produces (four 255-byte strings ≈ 1,500 chars) only if ids are absurd;
    // real codes are ~160 chars. Bounding the input keeps a hostile scan from costing work.
    public const int MaxCodeLength = 2048;
    public const int MaxStringBytes = 255;

    private const byte FormatVersion = 1;
    private const byte HasValidTo = 1;
    private const byte HasSpotId = 2;
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>A decoded but not yet verified code.</summary>
    public sealed record Parsed(string KeyId, Credential Credential, byte[] SignedText, byte[] Signature);

    public static byte[] EncodePayload(string keyId, Credential credential)
    {
        var buffer = new List<byte>(96)
        {
            FormatVersion,
            (byte)credential.Kind,
            (byte)credential.VehicleType,
            (byte)((credential.ValidTo is null ? 0 : HasValidTo) | (credential.SpotId is null ? 0 : HasSpotId)),
        };
        var from = credential.ValidFrom.ToUnixTimeSeconds();
        WriteVarint(buffer, (ulong)from);
        if (credential.ValidTo is { } to)
        {
            WriteVarint(buffer, (ulong)(to.ToUnixTimeSeconds() - from));
        }

        WriteVarint(buffer, (ulong)credential.Version);
        WriteString(buffer, keyId);
        WriteString(buffer, credential.LotId);
        WriteString(buffer, credential.Id);
        if (credential.SpotId is not null)
        {
            WriteString(buffer, credential.SpotId);
        }

        return [.. buffer];
    }

    public static string SignedText(byte[] payload) => Prefix + Base64Url.EncodeToString(payload);

    public static string Join(string signedText, byte[] signature) => signedText + "." + Base64Url.EncodeToString(signature);

    /// <summary>Never throws: every failure is a false with a short reason a gate can display.</summary>
    public static bool TryParse(string? code, out Parsed? parsed, out string reason)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(code))
        {
            reason = "No code was read.";
            return false;
        }

        if (code.Length > MaxCodeLength)
        {
            reason = "Code is too long to be a parking code.";
            return false;
        }

        // Scanners often add a trailing newline; anything else stray is part of the code and refused.
        var text = code.Trim();
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            reason = "Not a parking code.";
            return false;
        }

        var dot = text.IndexOf('.', Prefix.Length);
        if (dot < 0 || text.IndexOf('.', dot + 1) >= 0)
        {
            reason = "Code is incomplete or damaged.";
            return false;
        }

        var payloadText = text.AsSpan(Prefix.Length, dot - Prefix.Length);
        var signatureText = text.AsSpan(dot + 1);
        if (!TryDecode(payloadText, out var payload) || !TryDecode(signatureText, out var signature))
        {
            reason = "Code is damaged (unreadable characters).";
            return false;
        }

        if (signature.Length != SignatureLength)
        {
            reason = "Code is damaged (signature has the wrong length).";
            return false;
        }

        if (!TryDecodePayload(payload, out var keyId, out var credential, out reason))
        {
            return false;
        }

        parsed = new Parsed(keyId, credential, Encoding.ASCII.GetBytes(text[..dot]), signature);
        reason = string.Empty;
        return true;
    }

    private static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            // Only the unpadded base64url alphabet: keeps one text per code, so the signature covers it.
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        // One leftover character cannot encode a byte, and TryDecodeFromChars throws on it instead of returning false.
        if (text.Length % 4 == 1)
        {
            return false;
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        int written;
        try
        {
            if (!Base64Url.TryDecodeFromChars(text, buffer, out written))
            {
                return false;
            }
        }
        catch (FormatException)
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }

    private static bool TryDecodePayload(ReadOnlySpan<byte> payload, out string keyId, out Credential credential, out string reason)
    {
        keyId = string.Empty;
        credential = null!;
        reason = "Code is damaged (unreadable contents).";
        if (payload.Length < 4)
        {
            return false;
        }

        if (payload[0] != FormatVersion)
        {
            reason = "Code format is not supported by this gate.";
            return false;
        }

        var kind = (CredentialKind)payload[1];
        var vehicleType = (VehicleType)payload[2];
        var flags = payload[3];
        if (kind == CredentialKind.None || !Enum.IsDefined(kind) || !Enum.IsDefined(vehicleType) || (flags & ~(HasValidTo | HasSpotId)) != 0)
        {
            return false;
        }

        var rest = payload[4..];
        if (!TryReadVarint(ref rest, out var from) || from > (ulong)MaxUnixSeconds)
        {
            return false;
        }

        DateTimeOffset? validTo = null;
        if ((flags & HasValidTo) != 0)
        {
            if (!TryReadVarint(ref rest, out var span) || span > (ulong)MaxUnixSeconds - from)
            {
                return false;
            }

            validTo = DateTimeOffset.FromUnixTimeSeconds((long)(from + span));
        }

        if (!TryReadVarint(ref rest, out var version) || version > int.MaxValue
            || !TryReadString(ref rest, out keyId)
            || !TryReadString(ref rest, out var lotId)
            || !TryReadString(ref rest, out var id))
        {
            return false;
        }

        string? spotId = null;
        if ((flags & HasSpotId) != 0 && !TryReadString(ref rest, out spotId))
        {
            return false;
        }

        if (!rest.IsEmpty)
        {
            return false;
        }

        credential = new Credential(kind, lotId, id, vehicleType, spotId, DateTimeOffset.FromUnixTimeSeconds((long)from), validTo, (int)version);
        reason = string.Empty;
        return true;
    }

    private static void WriteVarint(List<byte> buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.Add((byte)value);
    }

    private static bool TryReadVarint(ref ReadOnlySpan<byte> span, out ulong value)
    {
        value = 0;
        for (var i = 0; i < span.Length && i < 10; i++)
        {
            var b = span[i];
            if (i == 9 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // A redundant trailing zero group would give one value two encodings.
                if (i > 0 && b == 0)
                {
                    return false;
                }

                span = span[(i + 1)..];
                return true;
            }
        }

        return false;
    }

    private static void WriteString(List<byte> buffer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteVarint(buffer, (ulong)bytes.Length);
        buffer.AddRange(bytes);
    }

    private static bool TryReadString(ref ReadOnlySpan<byte> span, out string value)
    {
        value = string.Empty;
        if (!TryReadVarint(ref span, out var length) || length is 0 or > MaxStringBytes || (ulong)span.Length < length)
        {
            return false;
        }

        var bytes = span[..(int)length];
        if (!Utf8.IsValid(bytes))
        {
            return false;
        }

        value = Encoding.UTF8.GetString(bytes);
        span = span[(int)length..];
        return true;
    }
}
