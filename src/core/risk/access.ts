import type { Json } from '../plan/model.js';
import { UNKNOWN } from '../plan/model.js';
import { asList as list, asObject, asObjects as objects } from '../json.js';
import {
  anyPrincipal,
  conditionKeys,
  conditionValues,
  statements,
  stringList,
} from './policy-document.js';

// What a change does to access, read from the policy documents and role names in its values:
// who becomes an administrator, who may take a role, and which bindings replace every member.
// `iam-change` (medium) says that access changes at all; the `broad-access` rule (high) uses
// these readers to say when it changes in the ways that hand over an account, a project or a
// cluster. Each reason completes "ADDRESS ...".

type Obj = Record<string, Json>;

const text = (v: Json | undefined): string => (typeof v === 'string' ? v : '');

/** AWS managed policies that make their holder an administrator of the account. */
const AWS_ADMIN_POLICY = /^arn:aws[\w-]*:iam::aws:policy\/(AdministratorAccess|IAMFullAccess)$/;

/** GCP basic roles that own or edit everything where they are granted. */
export const GCP_BROAD_ROLES: readonly string[] = ['roles/owner', 'roles/editor'];
const GCP_ADMIN_ROLES = new Set([
  ...GCP_BROAD_ROLES,
  'roles/resourcemanager.organizationAdmin',
  'roles/iam.securityAdmin',
]);
const GCP_PUBLIC = new Set(['allUsers', 'allAuthenticatedUsers']);

/** Azure built-in roles that control everything in their scope, by name and definition GUID. */
const AZURE_ADMIN_ROLES: Readonly<Record<string, string>> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168': 'Role Based Access Control Administrator',
};
const AZURE_ADMIN_NAMES = new Set(Object.values(AZURE_ADMIN_ROLES));

/** Snowflake system roles that administer the whole account. */
const SNOWFLAKE_ADMIN_ROLES = new Set(['ACCOUNTADMIN', 'SECURITYADMIN', 'ORGADMIN']);

/** Condition keys that tie an open trust policy to known accounts, organizations or callers. */
const TRUST_SCOPING_KEYS = new Set([
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'sts:externalid',
]);

const POLICY = ['policy'];
const GCP_MEMBER = ['role', 'member'];
const GCP_BINDING = ['role', 'members'];
const ATTACHMENT = ['policy_arn'];
const K8S_BINDING = ['role_ref'];

/** What `grantsOf` and `authoritativeOf` read, per type (the streaming reader keeps these). */
export const ACCESS_READS: Readonly<Record<string, readonly string[]>> = {
  aws_iam_policy: POLICY,
  aws_iam_role_policy: POLICY,
  aws_iam_user_policy: POLICY,
  aws_iam_group_policy: POLICY,
  aws_iam_role: ['assume_role_policy', 'inline_policy', 'managed_policy_arns'],
  aws_iam_policy_attachment: ATTACHMENT,
  aws_iam_role_policy_attachment: ATTACHMENT,
  aws_iam_user_policy_attachment: ATTACHMENT,
  aws_iam_group_policy_attachment: ATTACHMENT,
  aws_ssoadmin_permission_set_inline_policy: ['inline_policy'],
  aws_ssoadmin_managed_policy_attachment: ['managed_policy_arn'],
  google_project_iam_member: GCP_MEMBER,
  google_folder_iam_member: GCP_MEMBER,
  google_organization_iam_member: GCP_MEMBER,
  google_project_iam_binding: GCP_BINDING,
  google_folder_iam_binding: GCP_BINDING,
  google_organization_iam_binding: GCP_BINDING,
  azurerm_role_assignment: ['role_definition_name', 'role_definition_id', 'scope'],
  kubernetes_cluster_role_binding: K8S_BINDING,
  kubernetes_cluster_role_binding_v1: K8S_BINDING,
  kubernetes_role_binding: K8S_BINDING,
  kubernetes_role_binding_v1: K8S_BINDING,
  vault_policy: POLICY,
  oci_identity_policy: ['statements'],
  snowflake_grant_account_role: ['role_name'],
  snowflake_role_grants: ['role_name'],
  postgresql_role: ['superuser'],
  mysql_grant: ['privileges', 'database'],
  github_team_repository: ['permission'],
  github_repository_collaborator: ['permission'],
  github_repository_collaborators: ['user', 'team'],
  github_membership: ['role'],
};

// ---------------------------------------------------------------------------------------------
// AWS policy documents

/** Why an identity policy document makes its holder powerful, one reason per way. */
export function identityPolicyGrants(doc: Json | undefined, what: string): string[] {
  const out = new Set<string>();
  for (const s of statements(doc)) {
    if (s.effect !== 'Allow' || !s.resources.includes('*')) continue;
    const acts = s.actions.map((a) => a.toLowerCase());
    if (s.notAction) {
      out.add(
        `${what} allows every action except those NotAction lists, on every resource: whoever holds it is all but an administrator of the account`,
      );
    } else if (acts.includes('*')) {
      out.add(
        `${what} allows every action on every resource (Action "*", Resource "*"): whoever holds it is an administrator of the account`,
      );
    } else if (acts.includes('iam:*')) {
      out.add(
        `${what} allows iam:* on every resource: whoever holds it can give themselves any permission, so it is administrator access one step removed`,
      );
    } else if (acts.includes('iam:passrole') || acts.includes('iam:pass*')) {
      out.add(
        `${what} allows iam:PassRole on every resource: whoever holds it can hand any role, administrator roles included, to a server or function they control`,
      );
    }
  }
  return [...out];
}

/** Why a trust policy lets strangers take the role, one reason per way. */
export function trustPolicyGrants(doc: Json | undefined): string[] {
  const out = new Set<string>();
  for (const s of statements(doc)) {
    if (s.effect !== 'Allow') continue;
    const keys = conditionKeys(s);
    if (anyPrincipal(s.principal) && !keys.some((k) => TRUST_SCOPING_KEYS.has(k))) {
      out.add(
        'can be assumed by any AWS principal (Principal "*") with no condition naming an account or organization: anyone with an AWS account can take this role',
      );
    }
    const p = s.principal;
    const federated =
      p !== null && typeof p === 'object'
        ? stringList((p as { Federated?: unknown }).Federated)
        : [];
    for (const provider of federated) {
      const host = provider.replace(/^.*:oidc-provider\//, '');
      if (host === provider) continue; // SAML and Cognito: not an OIDC issuer of CI tokens
      const subKey = `${host.toLowerCase()}:sub`;
      const subs = conditionValues(s, subKey);
      if (subs.length === 0) {
        out.add(
          `trusts OIDC tokens from ${host} with no condition on the subject (${host}:sub): a token for any repository, pipeline or account that issuer serves can take this role`,
        );
      } else {
        const open = subs.find((v) => /^\*$|^repo:\*|^project_path:\*|^organization:\*/.test(v));
        if (open) {
          out.add(
            `trusts OIDC tokens from ${host} whose subject matches "${open.slice(0, 60)}": that pattern matches every repository of every owner on that service, so any of them can take this role`,
          );
        }
      }
    }
  }
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Grants by resource type

/** Azure scopes that cover a whole subscription or more. */
function broadAzureScope(scope: string): boolean {
  return (
    scope === '/' ||
    /^\/subscriptions\/[^/]+\/?$/i.test(scope) ||
    /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+\/?$/i.test(scope)
  );
}

function azureRole(v: Obj): string | undefined {
  const name = text(v.role_definition_name);
  if (AZURE_ADMIN_NAMES.has(name)) return name;
  const id = text(v.role_definition_id).toLowerCase();
  const guid = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/.exec(id)?.[1];
  return guid ? AZURE_ADMIN_ROLES[guid] : undefined;
}

/** A Vault policy's `path "..." { capabilities = [...] }` blocks. */
function vaultPaths(policy: string): { path: string; caps: string[] }[] {
  const out: { path: string; caps: string[] }[] = [];
  const re = /path\s+"([^"]*)"\s*\{([^}]*)\}/g;
  for (let m = re.exec(policy); m; m = re.exec(policy)) {
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(m[2] as string)?.[1] ?? '';
    out.push({
      path: m[1] as string,
      caps: [...caps.matchAll(/"([^"]*)"/g)].map((c) => (c[1] as string).toLowerCase()),
    });
  }
  return out;
}

const WRITE_CAPS = ['create', 'update', 'delete', 'sudo'];

/**
 * Why this value hands over broad access, one reason per way; empty when it does not. Each
 * completes "ADDRESS ...". The rule compares the value after the change with the value before, so
 * a grant that was already there stays quiet.
 */
export function grantsOf(type: string, value: Json): string[] {
  const v = asObject(value);
  switch (type) {
    case 'aws_iam_policy':
      return identityPolicyGrants(v.policy, 'the policy');
    case 'aws_iam_role_policy':
    case 'aws_iam_user_policy':
    case 'aws_iam_group_policy':
      return identityPolicyGrants(v.policy, 'its inline policy');
    case 'aws_ssoadmin_permission_set_inline_policy':
      return identityPolicyGrants(v.inline_policy, 'the permission set');
    case 'aws_iam_role':
      return [
        ...trustPolicyGrants(v.assume_role_policy),
        ...objects(v.inline_policy).flatMap((p) =>
          identityPolicyGrants(p.policy, 'an inline policy'),
        ),
        ...list(v.managed_policy_arns).flatMap((arn) => adminAttachment(arn)),
      ];
    case 'aws_iam_policy_attachment':
    case 'aws_iam_role_policy_attachment':
    case 'aws_iam_user_policy_attachment':
    case 'aws_iam_group_policy_attachment':
      return adminAttachment(v.policy_arn);
    case 'aws_ssoadmin_managed_policy_attachment':
      return adminAttachment(v.managed_policy_arn);
    case 'google_project_iam_member':
    case 'google_folder_iam_member':
    case 'google_organization_iam_member':
      return gcpGrant(type, text(v.role), [text(v.member)]);
    case 'google_project_iam_binding':
    case 'google_folder_iam_binding':
    case 'google_organization_iam_binding':
      return gcpGrant(type, text(v.role), list(v.members).map(text));
    case 'azurerm_role_assignment': {
      const role = azureRole(v);
      const scope = text(v.scope);
      return role && broadAzureScope(scope)
        ? [
            `grants ${role} at ${scope.slice(0, 120)}: control of every resource in ${/managementGroups/i.test(scope) ? 'the management group' : scope === '/' ? 'the tenant' : 'the subscription'}${role === 'Contributor' ? '' : ', including who else gets access'}`,
          ]
        : [];
    }
    case 'kubernetes_cluster_role_binding':
    case 'kubernetes_cluster_role_binding_v1':
    case 'kubernetes_role_binding':
    case 'kubernetes_role_binding_v1':
      return objects(v.role_ref).some((r) => r.name === 'cluster-admin')
        ? [
            `binds cluster-admin${type.includes('cluster_role') ? ' across the whole cluster' : ' in its namespace'}: its subjects can do anything${type.includes('cluster_role') ? ', in every namespace, including reading every secret' : ' there, including reading its secrets'}`,
          ]
        : [];
    case 'vault_policy': {
      const policy = text(v.policy);
      return vaultPaths(policy).flatMap(({ path, caps }) => {
        if (caps.length === 0 || caps.every((c) => c === 'deny')) return [];
        if (path === '*' || path === '+/*') {
          return [
            `lets its holders ${caps.some((c) => WRITE_CAPS.includes(c)) ? 'read, change and delete' : 'read'} every path in Vault (path "${path}"${caps.includes('sudo') ? ' with sudo' : ''}): every secret, and Vault's own configuration`,
          ];
        }
        if (/^(sys|auth|identity)\//.test(path) && caps.some((c) => WRITE_CAPS.includes(c))) {
          return [
            `lets its holders change ${path} (${caps.join(', ')}): Vault's own policies and logins, so they can grant themselves anything`,
          ];
        }
        return [];
      });
    }
    case 'oci_identity_policy':
      return list(v.statements)
        .map(text)
        .flatMap((s) =>
          /\bto\s+manage\s+all-resources\s+in\s+tenancy\b/i.test(s)
            ? [`says "${s.slice(0, 100)}": full control of every resource in the tenancy`]
            : /^\s*allow\s+any-user\b/i.test(s)
              ? [`says "${s.slice(0, 100)}": it applies to every user`]
              : [],
        );
    case 'snowflake_grant_account_role':
    case 'snowflake_role_grants': {
      const role = text(v.role_name).toUpperCase();
      return SNOWFLAKE_ADMIN_ROLES.has(role)
        ? [`grants the ${role} role: control of the whole Snowflake account`]
        : [];
    }
    case 'postgresql_role':
      return v.superuser === true
        ? ['makes the role a superuser: it bypasses every permission check in the database server']
        : [];
    case 'mysql_grant': {
      const privs = list(v.privileges).map((p) => text(p).toUpperCase());
      const all = privs.some((p) => p === 'ALL' || p === 'ALL PRIVILEGES');
      return all && text(v.database) === '*'
        ? [
            'grants ALL PRIVILEGES on every database (*): the user becomes an administrator of the server',
          ]
        : [];
    }
    case 'github_team_repository':
    case 'github_repository_collaborator':
      return v.permission === 'admin'
        ? [
            'gives admin on the repository: admins change its settings, branch protection and rulesets, and the workflows that gate deploys',
          ]
        : [];
    case 'github_repository_collaborators':
      return [...objects(v.user), ...objects(v.team)].some((x) => x.permission === 'admin')
        ? [
            'gives admin on the repository to someone: admins change its settings, branch protection and rulesets, and the workflows that gate deploys',
          ]
        : [];
    case 'github_membership':
      return v.role === 'admin'
        ? ['makes the user an owner of the GitHub organization: every repository, team and setting']
        : [];
  }
  return [];
}

function adminAttachment(arn: Json | undefined): string[] {
  const a = text(arn);
  const m = AWS_ADMIN_POLICY.exec(a);
  return m
    ? [
        `attaches the AWS managed policy ${m[1]}: ${m[1] === 'AdministratorAccess' ? 'every action on every resource of the account' : 'full control of IAM, so any permission at all'}`,
      ]
    : [];
}

function gcpGrant(type: string, role: string, members: string[]): string[] {
  const where = type.startsWith('google_project')
    ? 'project'
    : type.startsWith('google_folder')
      ? 'folder'
      : 'organization';
  const out: string[] = [];
  const shown = members.filter((m) => m !== '' && m !== UNKNOWN);
  if (GCP_ADMIN_ROLES.has(role)) {
    out.push(
      `grants ${role} on the ${where}${shown.length === 1 ? ` to ${(shown[0] as string).slice(0, 80)}` : ''}: ${role === 'roles/editor' ? `it can change or delete almost everything in the ${where}` : `full control of the ${where}, including who else has access`}`,
    );
  }
  const open = members.find((m) => GCP_PUBLIC.has(m));
  if (open) out.push(`grants ${role} on the ${where} to ${open}: that is anyone`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Authoritative IAM: the change replaces every member, so it can lock everyone out

/**
 * Why a change of this type and value replaces access wholesale, or undefined. Authoritative
 * resources set the complete list: what is not in it is removed when Terraform applies it, and
 * when the resource is destroyed, the role (or the whole policy) goes with it.
 */
export function authoritativeOf(type: string, value: Json, kind: string): string | undefined {
  const v = asObject(value);
  if (/^google_(project|folder|organization)_iam_policy$/.test(type)) {
    return kind === 'delete'
      ? 'is destroyed: it held the whole IAM policy, and removing it can leave nobody with access'
      : 'sets the whole IAM policy: every binding not written in it is removed, which can lock everyone out, Terraform included';
  }
  if (
    /^google_(project|folder|organization)_iam_binding$/.test(type) &&
    GCP_BROAD_ROLES.includes(text(v.role))
  ) {
    return kind === 'delete'
      ? `is destroyed: every member of ${text(v.role)} there loses it, not only the ones Terraform added`
      : `sets the complete list of ${text(v.role)} members: anyone who holds it and is not in the list loses it, which can lock the owners out`;
  }
  return undefined;
}
