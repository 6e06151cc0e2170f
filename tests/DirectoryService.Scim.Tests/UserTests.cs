using System.Net;
using System.Text.Json.Nodes;
using DirectoryService.Gateway.Tests.Infrastructure;
using DirectoryService.Grpc.V1;
using DirectoryService.Security;
using Google.Protobuf.WellKnownTypes;

namespace DirectoryService.Scim.Tests;

/// <summary>RFC 7644 §3.3 (create), §3.4.1 (read), §3.5.1 (replace), §3.5.2 (modify), §3.6 (delete), §3.14 (ETags) on Users.</summary>
[Collection(SiloCollection.Name)]
public sealed class UserTests(SiloFixture silo)
{
    private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    [Fact]
    public async Task Create_MapsEveryAttribute_AndIsVisibleOverGrpcAndToSignIn()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var created = await scim.PostAsync("/Users", ScimClient.User(t.Upn("ada"), u =>
        {
            u["externalId"] = "HR-1";
            u["name"] = new JsonObject { ["givenName"] = "Ada", ["familyName"] = "Lovelace" };
            u["displayName"] = "Ada Lovelace";
            u["title"] = "Analyst";
            u["emails"] = new JsonArray(new JsonObject { ["value"] = "ada@example.org", ["type"] = "work", ["primary"] = true });
            u[Enterprise] = new JsonObject { ["employeeNumber"] = "1815", ["department"] = "Engines" };
            u["nickName"] = "ignored: the directory holds no nick name";
        }));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal($"{silo.Http.BaseAddress}scim/v2/Users/{created.Id}", created.Location);
        Assert.Equal(created.Body!["meta"]!["version"]!.GetValue<string>(), created.ETag);
        Assert.Equal("User", created.Body["meta"]!["resourceType"]!.GetValue<string>());
        Assert.Null(created.Body["nickName"]);

        var user = await t.Users.GetUserAsync(new GetUserRequest { UserPrincipalName = t.Upn("ada") });
        Assert.Equal((created.Id, "HR-1", "Ada", "Lovelace", "Ada Lovelace", "Analyst", "ada@example.org", "1815", "Engines", true),
            (user.Id, user.ExternalId, user.GivenName, user.Surname, user.DisplayName, user.JobTitle, user.Mail, user.EmployeeId, user.Department, user.AccountEnabled));
        Assert.Equal(created.Id, (await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = t.Upn("ada") })).UserId);
    }

    [Fact]
    public async Task Create_RefusesATakenUserName_IgnoringCase_AndBadInput_ChangingNothing()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        Assert.Equal(HttpStatusCode.Created, (await scim.PostAsync("/Users", ScimClient.User(t.Upn("taken")))).Status);
        (await scim.PostAsync("/Users", ScimClient.User(t.Upn("TAKEN")))).AssertError(HttpStatusCode.Conflict, "uniqueness", "userName");
        (await scim.PostAsync("/Users", ScimClient.User("someone@not-verified.example"))).AssertError(HttpStatusCode.BadRequest, "invalidValue", "userName");
        (await scim.PostAsync("/Users", new JsonObject { ["displayName"] = "no name" })).AssertError(HttpStatusCode.BadRequest, "invalidValue", "userName");
        (await scim.PostAsync("/Users", "{not json")).AssertError(HttpStatusCode.BadRequest, "invalidSyntax");
        (await scim.PostAsync("/Users", ScimClient.User(t.Upn("x"), u => u["active"] = "maybe"))).AssertError(HttpStatusCode.BadRequest, "invalidValue");
        Assert.Single((await t.Users.ListUsersAsync(new ListUsersRequest())).Users);
    }

    [Fact]
    public async Task Get_AnswersUnknownAndForeignIdsAlike_InTheErrorSchema()
    {
        var t = await silo.NewTenantAsync();
        var other = await silo.NewTenantAsync();
        var foreign = await other.CreateUserAsync("foreign");
        var scim = ScimClient.For(silo, t);
        (await scim.GetAsync($"/Users/{foreign.Id}")).AssertError(HttpStatusCode.NotFound, null);
        (await scim.GetAsync($"/Users/{Guid.NewGuid()}")).AssertError(HttpStatusCode.NotFound, null);
        (await scim.GetAsync("/Users/not-a-guid")).AssertError(HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task Put_ReplacesTheScimAttributes_AndLeavesWhatScimDoesNotHold()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var created = await scim.PostAsync("/Users", ScimClient.User(t.Upn("put"), u => { u["title"] = "Clerk"; u["displayName"] = "Put"; }));
        await t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = created.Id, MailNickname = "kept" }, UpdateMask = new FieldMask { Paths = { "mail_nickname" } } });

        var replaced = await scim.PutAsync($"/Users/{created.Id}", ScimClient.User(t.Upn("put"), u => u["displayName"] = "Replaced"));
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Null(replaced.Body!["title"]);
        var user = await t.Users.GetUserAsync(new GetUserRequest { Id = created.Id });
        Assert.Equal(("Replaced", "", "kept"), (user.DisplayName, user.JobTitle, user.MailNickname));
    }

    [Fact]
    public async Task Patch_TakesEveryFormRealClientsSend()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var id = (await scim.PostAsync("/Users", ScimClient.User(t.Upn("patch"), u => u["displayName"] = "Patch"))).Id;

        var patched = await scim.PatchAsync($"/Users/{id}", ScimClient.Patch(
            ScimClient.Op("Replace", "active", "False"),
            ScimClient.Op("Add", null, new JsonObject { ["displayName"] = "Patched", ["name.givenName"] = "Pat" }),
            ScimClient.Op("replace", "emails[type eq \"work\"].value", "pat@example.org"),
            ScimClient.Op("add", $"{Enterprise}:department", "Sales"),
            ScimClient.Op("replace", "title", "Lead")));
        Assert.Equal(HttpStatusCode.OK, patched.Status);

        var user = await t.Users.GetUserAsync(new GetUserRequest { Id = id });
        Assert.Equal((false, "Patched", "Pat", "pat@example.org", "Sales", "Lead"), (user.AccountEnabled, user.DisplayName, user.GivenName, user.Mail, user.Department, user.JobTitle));
        var signIn = await t.SignIn.ResolveSignInAsync(new ResolveSignInRequest { UserPrincipalName = t.Upn("patch") });
        Assert.False(signIn.AccountEnabled);

        await scim.PatchAsync($"/Users/{id}", ScimClient.Patch(ScimClient.Op("remove", "title", null)));
        Assert.Equal("", (await t.Users.GetUserAsync(new GetUserRequest { Id = id })).JobTitle);

        (await scim.PatchAsync($"/Users/{id}", ScimClient.Patch(ScimClient.Op("replace", "id", "x")))).AssertError(HttpStatusCode.BadRequest, "mutability");
        (await scim.PatchAsync($"/Users/{id}", ScimClient.Patch(ScimClient.Op("remove", null, null)))).AssertError(HttpStatusCode.BadRequest, "noTarget");
        (await scim.PatchAsync($"/Users/{id}", ScimClient.Patch(ScimClient.Op("replace", "emails[type eq]", "x")))).AssertError(HttpStatusCode.BadRequest, "invalidPath");
        (await scim.PatchAsync($"/Users/{id}", new JsonObject { ["Operations"] = new JsonArray() })).AssertError(HttpStatusCode.BadRequest, "invalidSyntax");
    }

    [Fact]
    public async Task IfMatch_IsThePrecondition_OfPutPatchAndDelete()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var created = await scim.PostAsync("/Users", ScimClient.User(t.Upn("etag")));
        var changed = await scim.PatchAsync($"/Users/{created.Id}", ScimClient.Patch(ScimClient.Op("replace", "title", "One")), created.ETag);
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.NotEqual(created.ETag, changed.ETag);

        (await scim.PatchAsync($"/Users/{created.Id}", ScimClient.Patch(ScimClient.Op("replace", "title", "Two")), created.ETag)).AssertError(HttpStatusCode.PreconditionFailed, null);
        (await scim.PutAsync($"/Users/{created.Id}", ScimClient.User(t.Upn("etag")), created.ETag)).AssertError(HttpStatusCode.PreconditionFailed, null);
        (await scim.DeleteAsync($"/Users/{created.Id}", created.ETag)).AssertError(HttpStatusCode.PreconditionFailed, null);
        Assert.Equal("One", (await t.Users.GetUserAsync(new GetUserRequest { Id = created.Id })).JobTitle);
        Assert.Equal(HttpStatusCode.NoContent, (await scim.DeleteAsync($"/Users/{created.Id}", changed.ETag)).Status);
    }

    [Fact]
    public async Task Delete_IsSoft_ScimAnswers404_AndGrpcCanRestore()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var id = (await scim.PostAsync("/Users", ScimClient.User(t.Upn("gone")))).Id;
        Assert.Equal(HttpStatusCode.NoContent, (await scim.DeleteAsync($"/Users/{id}")).Status);
        (await scim.GetAsync($"/Users/{id}")).AssertError(HttpStatusCode.NotFound, null);
        Assert.Equal(0, (await scim.GetAsync($"/Users?filter=userName eq \"{t.Upn("gone")}\"")).Body!["totalResults"]!.GetValue<int>());

        await t.Users.RestoreUserAsync(new RestoreUserRequest { Id = id });
        Assert.Equal(HttpStatusCode.OK, (await scim.GetAsync($"/Users/{id}")).Status);
    }

    [Fact]
    public async Task TheManager_IsWrittenAsEntraIdAndOktaSendIt_AndReadableOverGrpc()
    {
        var t = await silo.NewTenantAsync();
        var scim = ScimClient.For(silo, t);
        var boss = await scim.PostAsync("/Users", ScimClient.User(t.Upn("boss")));
        var report = await scim.PostAsync("/Users", ScimClient.User(t.Upn("report"), u => u[Enterprise] = new JsonObject { ["manager"] = new JsonObject { ["value"] = boss.Id } }));
        Assert.Equal(boss.Id, report.Body![Enterprise]!["manager"]!["value"]!.GetValue<string>());
        Assert.Equal(boss.Id, (await t.Users.GetUserAsync(new GetUserRequest { Id = report.Id })).ManagerId);

        var other = await scim.PostAsync("/Users", ScimClient.User(t.Upn("other")));
        silo.Clock.Advance(TimeSpan.FromSeconds(1));
        var moved = await scim.PatchAsync($"/Users/{report.Id}", ScimClient.Patch(ScimClient.Op("Add", $"{Enterprise}:manager", other.Id)));
        Assert.Equal(other.Id, moved.Body![Enterprise]!["manager"]!["value"]!.GetValue<string>());
        Assert.NotEqual(report.Body["meta"]!["lastModified"]!.GetValue<string>(), moved.Body["meta"]!["lastModified"]!.GetValue<string>());

        (await scim.PatchAsync($"/Users/{report.Id}", ScimClient.Patch(ScimClient.Op("replace", $"{Enterprise}:manager", Guid.NewGuid().ToString()))))
            .AssertError(HttpStatusCode.BadRequest, "invalidValue", "manager");
        await scim.PatchAsync($"/Users/{report.Id}", ScimClient.Patch(ScimClient.Op("remove", $"{Enterprise}:manager", null)));
        Assert.Equal("", (await t.Users.GetUserAsync(new GetUserRequest { Id = report.Id })).ManagerId);
    }

    [Fact]
    public async Task AGrpcWrite_IsVisibleOverScimAtOnce()
    {
        var t = await silo.NewTenantAsync();
        var user = await t.CreateUserAsync("both");
        await t.Users.UpdateUserAsync(new UpdateUserRequest { User = new User { Id = user.Id, Department = "Ops" }, UpdateMask = new FieldMask { Paths = { "department" } } });
        var read = await ScimClient.For(silo, t, Permissions.DirectoryRead).GetAsync($"/Users/{user.Id}");
        Assert.Equal("Ops", read.Body![Enterprise]!["department"]!.GetValue<string>());
    }
}
