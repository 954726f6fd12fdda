export { accessError } from './accessError.js';
export {
  type AccessDenial,
  type AccessRules,
  checkAccess,
  describeRule,
  type FieldRule,
  readAccessRules,
} from './accessRules.js';
export {
  ANONYMOUS,
  type Caller,
  CLIENT_SCOPES,
  hasScope,
  isAdmin,
  isAuthenticated,
  Scope,
} from './caller.js';
export { enforceAccess } from './enforceAccess.js';
export {
  isAdvertiserMember,
  isPartner,
  isSelf,
  requireAdvertiser,
  requireAdvertiserOrAnalyst,
  requirePartner,
  requireSelf,
} from './ownership.js';
export { isPolicyName, POLICIES, type PolicyName } from './policies.js';
