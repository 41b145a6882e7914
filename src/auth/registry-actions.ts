// Which ECR actions a registry API request needs, on which repository — the same
// actions ECR's own documentation lists for docker pull and push.
export type RegistryRoute =
  | { readonly kind: 'base' }
  | { readonly kind: 'catalog' }
  | { readonly kind: 'tags' | 'manifest' | 'upload-start' | 'upload' | 'referrers'; readonly name: string }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string };

export interface RequiredAccess {
  /** Repository the actions apply to; undefined for registry-wide requests. */
  readonly repository?: string;
  readonly actions: readonly string[];
}

export function requiredAccess(route: RegistryRoute, method: string): RequiredAccess {
  const read = method === 'GET' || method === 'HEAD';
  switch (route.kind) {
    case 'base':
      return { actions: [] }; // authentication only
    case 'catalog':
      return { actions: ['ecr:DescribeRepositories'] };
    case 'tags':
      return { repository: route.name, actions: ['ecr:ListImages'] };
    case 'referrers':
      return { repository: route.name, actions: ['ecr:BatchGetImage'] };
    case 'manifest':
      if (read) return { repository: route.name, actions: ['ecr:BatchGetImage'] };
      if (method === 'DELETE') return { repository: route.name, actions: ['ecr:BatchDeleteImage'] };
      return { repository: route.name, actions: ['ecr:PutImage'] };
    case 'blob':
      if (method === 'HEAD') return { repository: route.name, actions: ['ecr:BatchCheckLayerAvailability'] };
      if (method === 'DELETE') return { repository: route.name, actions: ['ecr:BatchDeleteImage'] };
      return { repository: route.name, actions: ['ecr:GetDownloadUrlForLayer'] };
    case 'upload-start':
      return { repository: route.name, actions: ['ecr:InitiateLayerUpload'] };
    case 'upload':
      if (read) return { repository: route.name, actions: ['ecr:UploadLayerPart'] };
      if (method === 'PUT') return { repository: route.name, actions: ['ecr:CompleteLayerUpload'] };
      return { repository: route.name, actions: ['ecr:UploadLayerPart'] };
  }
}
