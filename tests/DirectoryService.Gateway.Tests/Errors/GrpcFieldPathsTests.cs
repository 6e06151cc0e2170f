using DirectoryService.Abstractions.Common;
using DirectoryService.Gateway.Errors;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Gateway.Tests.Errors;

/// <summary>Domain fields named by the path of the gRPC request that carried them.</summary>
public sealed class GrpcFieldPathsTests
{
    public static TheoryData<string, string, int?, string?, string> Cases => new()
    {
        { nameof(CreateUserRequest), DomainFields.UserPrincipalName, null, null, "user.user_principal_name" },
        { nameof(UpdateUserRequest), DomainFields.Id, null, null, "user.id" },
        { nameof(UpdateUserRequest), DomainFields.ETag, null, null, "user.etag" },
        { nameof(UpdateUserRequest), DomainFields.ExtensionAttributes, null, "k", "user.extension_attributes[k]" },
        { nameof(DeleteUserRequest), DomainFields.ETag, null, null, "etag" },
        { nameof(ResolveSignInRequest), DomainFields.UserPrincipalName, null, null, "user_principal_name" },
        { nameof(AddMembersRequest), DomainFields.Member, 3, null, "members[3].id" },
        { nameof(AddMembersRequest), DomainFields.Group, null, null, "group_id" },
        { nameof(RemoveMemberRequest), DomainFields.Member, null, null, "member.id" },
        { nameof(GetMemberGroupsRequest), DomainFields.Principal, null, null, "principal.id" },
        { nameof(UpdateGroupRequest), DomainFields.Owner, 2, null, "group.owner_ids[2]" },
        { nameof(CreateTenantRequest), DomainFields.Id, null, null, "tenant_id" },
        { nameof(UpdateTenantRequest), DomainFields.VerifiedDomains, 1, null, "tenant.verified_domains[1]" },
        { nameof(UpdateTenantRequest), DomainFields.UpdateMask, null, null, "update_mask" },
        { nameof(CreateUserRequest), DomainFields.Tenant, null, null, "tenant" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void DomainFields_AreNamedByTheirRequestPath(string request, string name, int? index, string? key, string expected)
    {
        var descriptor = new[] { UsersReflection.Descriptor, GroupsReflection.Descriptor, MembersReflection.Descriptor, SigninReflection.Descriptor, TenantsReflection.Descriptor }
            .SelectMany(f => f.MessageTypes).Single(m => m.Name == request);
        Assert.Equal(expected, GrpcFieldPaths.Of(new ErrorField(name, index, key), descriptor));
    }

    [Fact]
    public void UpdateMaskPaths_BecomeDomainNames_KeepingMapKeys()
    {
        Assert.Equal("jobTitle", GrpcFieldPaths.DomainName("job_title"));
        Assert.Equal("extensionAttributes.cost_center", GrpcFieldPaths.DomainName("extension_attributes.cost_center"));
    }
}
