import type { ContentReader, ContentWriter } from '../../content/types.js';
import type { ImageIndex } from '../../images/image-index.js';
import type { RegisterImageInput, RegisterImageResult } from '../../images/register-image.js';

/** What the registry client needs from the content store. */
export type RegistryContent = Pick<ContentReader, 'has' | 'info' | 'createReadStream' | 'readBuffer'> & Pick<ContentWriter, 'openWriter' | 'put'>;

/** What the registry client needs from the local image service (LocalImageService fits). */
export interface RegistryImages {
  readonly index: Pick<ImageIndex, 'get' | 'all' | 'byReference' | 'update'>;
  registerImage(input: RegisterImageInput): Promise<RegisterImageResult>;
}
