using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using ParkingLot.Cloud.Storage;

namespace ParkingLot.Cloud.Auth;

/// <summary>
/// The symmetric key that signs and verifies access tokens: <c>Auth:SigningKey</c> when set, else a
/// random 512-bit key generated on first start and kept in the data directory, readable by the
/// service's user only, so tokens survive a restart.
/// </summary>
internal sealed class SigningKeyProvider(IOptions<AuthOptions> auth, IOptions<StorageOptions> storage)
{
    public const string FileName = "jwt-signing.key";
    public const int MinimumKeyBytes = 32;

    private readonly Lazy<SymmetricSecurityKey> _key = new(() => Load(auth.Value, storage.Value));

    public SymmetricSecurityKey Key => _key.Value;

    public SigningCredentials Credentials => new(Key, SecurityAlgorithms.HmacSha256);

    private static SymmetricSecurityKey Load(AuthOptions auth, StorageOptions storage)
    {
        if (!string.IsNullOrEmpty(auth.SigningKey))
        {
            var configured = Encoding.UTF8.GetBytes(auth.SigningKey);
            return configured.Length >= MinimumKeyBytes
                ? new SymmetricSecurityKey(configured)
                : throw new OptionsValidationException(
                    AuthOptions.Section, typeof(AuthOptions), [$"Auth:SigningKey must be at least {MinimumKeyBytes} bytes."]);
        }

        var directory = Path.GetFullPath(storage.DataDirectory);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        return new SymmetricSecurityKey(ReadOrCreate(path));
    }

    private static byte[] ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return Read(path);
        }

        var key = RandomNumberGenerator.GetBytes(64);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(path, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
                stream.Flush(flushToDisk: true);
            }

            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance sharing the folder created it first: use theirs.
            return Read(path);
        }
    }

    private static byte[] Read(string path)
    {
        var text = File.ReadAllText(path).Trim();
        var key = Convert.FromBase64String(text);
        return key.Length >= MinimumKeyBytes
            ? key
            : throw new InvalidOperationException($"{path} holds a key shorter than {MinimumKeyBytes} bytes; delete it to generate a new one.");
    }
}
