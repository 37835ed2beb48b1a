"""Actions whose API response contains credentials, keys, passwords or tokens (rule A8).

Allowed on every resource, each of them hands a secret to the caller (Checkov CKV_AWS_107/287,
cloudsplaining "CredentialsExposure", parliament CREDENTIALS_EXPOSURE).
"""

from __future__ import annotations

# Source: cloudsplaining `cloudsplaining/shared/constants.py:ACTIONS_THAT_RETURN_CREDENTIALS` (0.9.x, 45
# entries; it points at gist kmcquade/33860a617e651104d243c324ddf7992a), with these changes:
# * `ecr:getauthorizationtoken` is left out, as Checkov CKV_AWS_107/287 leave it out: the token is needed
#   by every image pull, so it is granted on `*` by design and would flag almost every compute role.
# * `gamelist:getcomputeaccess` / `gamelist:getcomputeauthtoken` are cloudsplaining typos for the
#   `gamelift:` actions below (no `gamelist` service exists).
# * `connect:getfederationtokens` and `sso:getrolecredentials` are dropped: the action catalog has no such
#   IAM actions (the SSO portal's GetRoleCredentials is authorised by the SSO access token, not by IAM).
# The extra entries at the end are marked with their own source.
CREDENTIALS_EXPOSURE_ACTIONS: frozenset[str] = frozenset(
    {
        "airflow:createclitoken",
        "airflow:createweblogintoken",
        "appsync:createapikey",
        "chime:createapikey",
        "cloud9:createenvironmenttoken",
        "codeartifact:getauthorizationtoken",
        "codepipeline:pollforjobs",
        "cognito-identity:getcredentialsforidentity",
        "cognito-identity:getopenidtoken",
        "cognito-identity:getopenidtokenfordeveloperidentity",
        "cognito-idp:getsigningcertificate",
        "connect:getfederationtoken",
        "ec2:getpassworddata",
        "ecr-public:getauthorizationtoken",
        "emr-containers:getmanagedendpointsessioncredentials",
        "finspace-api:getprogrammaticaccesscredentials",
        "gamelift:getcomputeaccess",
        "gamelift:getcomputeauthtoken",
        "gamelift:getinstanceaccess",
        "gamelift:requestuploadcredentials",
        "grafana:createworkspaceapikey",
        "iam:createaccesskey",
        "iam:createloginprofile",
        "iam:createservicespecificcredential",
        "iam:resetservicespecificcredential",
        "iam:updateaccesskey",
        "license-manager:getaccesstoken",
        "lightsail:createbucketaccesskey",
        "lightsail:downloaddefaultkeypair",
        "lightsail:getinstanceaccessdetails",
        "lightsail:getrelationaldatabasemasteruserpassword",
        "mediapackage:rotatechannelcredentials",
        "mediapackage:rotateingestendpointcredentials",
        "rds-db:connect",
        "redshift-serverless:getcredentials",
        "redshift:getclustercredentials",
        "redshift:getclustercredentialswithiam",
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:getfederationtoken",
        "sts:getsessiontoken",
        # Source: parliament `community_auditors/credentials_exposure.py` (returns the TOTP secret seed);
        # its other extra, `iot:assumerolewithcertificate`, is not an IAM action in the catalog.
        "cognito-idp:associatesoftwaretoken",
        # Source: the action catalog's own descriptions ("obtain a set of temporary security credentials");
        # both post-date the cloudsplaining list.
        "sts:assumeroot",
        "sts:getdelegatedaccesstoken",
    }
)

# Source: Checkov CKV_AWS_107/287 (iam-rules-anchors.md row A8): kept here, with its reason, so that
# the exclusion of a credentials-returning action is visible rather than silent. No rule reads it.
CREDENTIALS_EXPOSURE_EXCLUDED: frozenset[str] = frozenset({"ecr:getauthorizationtoken"})
