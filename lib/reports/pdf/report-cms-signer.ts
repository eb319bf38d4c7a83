// The CMS SignedData of a report PDF's signature, made with node-forge. It is
// @signpdf/signer-p12's signer with one fix: forge re-encodes the issuer name
// of a certificate it has parsed as UTF-8 a second time when it writes the
// SignerInfo's issuerAndSerialNumber, so a facility named "Klinička bolnica" or
// "Городская больница" (a UTF8String in the certificate) got a signature no
// verifier can match to its certificate ("signer certificate not found"). Here
// the issuer is decoded once before forge encodes it.
import { Signer } from '@signpdf/signpdf';
import forge from 'node-forge';
import { certificateFieldText, type OpenedP12 } from './facility-signing-certificate';

export class ReportCmsSigner extends Signer {
  constructor(private readonly opened: OpenedP12) {
    super();
  }

  override async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    const { key, certificate, chain } = this.opened;
    const signedData = forge.pkcs7.createSignedData();
    signedData.content = forge.util.createBuffer(pdfBuffer.toString('binary'));
    for (const member of chain) signedData.addCertificate(member);
    const issuer = certificate.issuer.attributes.map((attribute) => ({ ...attribute, value: certificateFieldText(attribute) }));
    signedData.addSigner({
      key,
      // forge's typings miss the issuer/serialNumber form it accepts instead of a certificate
      ...({ issuer, serialNumber: certificate.serialNumber } as unknown as { certificate: forge.pki.Certificate }),
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
        { type: forge.pki.oids.signingTime, value: (signingTime ?? new Date()) as unknown as string },
        { type: forge.pki.oids.messageDigest },
      ],
    });
    signedData.sign({ detached: true });
    return Buffer.from(forge.asn1.toDer(signedData.toAsn1()).getBytes(), 'binary');
  }
}
