using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using ParkingLot.Cloud.Storage;

namespace ParkingLot.Cloud.Auth;

internal static class AuthExtensions
{
    /// <summary>
    /// JWT bearer authentication, the role policies, accounts (in the configured store), tokens, the lot scope of
    /// operators, and the first admin from <c>Admin:Email</c>/<c>Admin:Password</c>.
    /// </summary>
    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .ValidateDataAnnotations()
            .Validate(
                o => string.IsNullOrEmpty(o.SigningKey) || System.Text.Encoding.UTF8.GetByteCount(o.SigningKey) >= SigningKeyProvider.MinimumKeyBytes,
                $"Auth:SigningKey must be at least {SigningKeyProvider.MinimumKeyBytes} bytes.")
            .ValidateOnStart();
        builder.Services.AddOptions<AdminOptions>()
            .BindConfiguration(AdminOptions.Section)
            .Validate(o => string.IsNullOrEmpty(o.Email) == string.IsNullOrEmpty(o.Password), "Admin:Email and Admin:Password go together.")
            .Validate(o => string.IsNullOrEmpty(o.Email) || AccountService.EmailProblem(o.Email) is null, "Admin:Email is not a valid e-mail address.")
            .Validate(
                o => string.IsNullOrEmpty(o.Password) || AccountService.PasswordProblem(o.Password, o.Email) is null,
                $"Admin:Password is too weak ({AccountService.MinimumPasswordLength}+ characters, a letter and a digit or symbol).")
            .ValidateOnStart();

        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(StorageExtensions.PostgresConnectionStringName)))
        {
            builder.Services.AddSingleton<IAccountStore, SqliteAccountStore>();
        }
        else
        {
            builder.Services.AddSingleton<IAccountStore, PostgresAccountStore>();
        }

        builder.Services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        builder.Services.AddSingleton<SigningKeyProvider>();
        builder.Services.AddSingleton<TokenService>();
        builder.Services.AddSingleton<AccountService>();
        builder.Services.AddSingleton<LotScope>();
        builder.Services.AddHostedService<AccountsInitializer>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeyProvider, IOptions<AuthOptions>, TimeProvider>((jwt, keys, auth, clock) =>
            {
                // Keep claim names as issued ("sub", "role"), not the WS-* URIs.
                jwt.MapInboundClaims = false;
                jwt.TimeProvider = clock;
                var skew = auth.Value.ClockSkew;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    // Lifetimes against the service's one clock, the one that mints the tokens (the
                    // library's own check reads the system clock). A token must carry an expiry.
                    LifetimeValidator = (notBefore, expires, _, _) =>
                    {
                        var now = clock.GetUtcNow().UtcDateTime;
                        return (notBefore is null || notBefore.Value <= now + skew) && expires is { } until && until + skew > now;
                    },
                    ValidIssuer = auth.Value.Issuer,
                    ValidAudience = auth.Value.Audience,
                    IssuerSigningKey = keys.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = AuthClaims.Email,
                    RoleClaimType = AuthClaims.Role,
                    ClockSkew = auth.Value.ClockSkew,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                };
            });

        // Each policy admits its role and admin.
        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var role in new[] { Roles.Driver, Roles.Operator, Roles.Technician })
        {
            authorization.AddPolicy(role, policy => policy.RequireAuthenticatedUser().RequireRole(role, Roles.Admin));
        }

        authorization.AddPolicy(Policies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        return builder;
    }

    /// <summary>Every route of accounts and access.</summary>
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapAuth();
        app.MapVehicles();
        app.MapAdminUsers();
        return app;
    }
}

/// <summary>Creates the first admin when none exists (after the store's migrations ran).</summary>
internal sealed class AccountsInitializer(
    IAccountStore store, AccountService accounts, IOptions<AdminOptions> admin, ILogger<AccountsInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = admin.Value;
        if (string.IsNullOrEmpty(options.Email) || await store.AnyUserInRoleAsync(Roles.Admin, cancellationToken))
        {
            return;
        }

        var existing = await store.FindByEmailAsync(AccountService.NormalizeEmail(options.Email), cancellationToken);
        if (existing is not null)
        {
            // Anyone may register any address, so an account under the configured address proves
            // nothing by itself: it becomes the admin only when the configured password is its own.
            if (!accounts.PasswordMatches(existing, options.Password!))
            {
                Log.AdminPromotionRefused(logger, existing.Email);
                throw new AdminAccountException(
                    $"Admin:Email {existing.Email} is an existing account whose password is not Admin:Password; refusing to make it the admin. " +
                    "Set Admin:Password to that account's password, or choose another Admin:Email.");
            }

            await store.SetRolesAsync(existing.Id, existing.Roles.Append(Roles.Admin).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
            Log.AdminPromoted(logger, existing.Email);
            return;
        }

        var user = await accounts.CreateUserAsync(options.Email, options.Password!, "Administrator", [Roles.Admin], cancellationToken);
        if (user is not null)
        {
            Log.AdminCreated(logger, user.Email);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The configured first admin cannot be set up safely: the service does not start.</summary>
internal sealed class AdminAccountException(string message) : Exception(message);
